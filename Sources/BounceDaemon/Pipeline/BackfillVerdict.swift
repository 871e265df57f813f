/// What a file backfill tells its operator when it ends, and its exit status.
///
/// Warnings come first (each input that gave no file, each file skipped for a reason other than "already
/// read", each file that is not a mail log, each read failure), then the summary, which agrees with them.
/// A backfill that was given a path that does not exist, could not read a file, or read nothing at all
/// does not exit 0: a cron job or a newcomer must not take "0 bounces" for "no bounces".
public struct BackfillVerdict: Sendable, Equatable {
    /// One line each, in the order they happened, without the `backfill: ` prefix.
    public var warnings: [String]
    /// `, 1 input gave no file, 2 not mail logs` and the like, for the end of the summary line.
    public var summarySuffix: String
    /// 0: every input was read (or had been); 1: an input gave no file, a file could not be read, or
    /// nothing was read at all; 2: a file failed while being read.
    public var exitStatus: Int32

    /// The verdict on `summary`.
    public init(_ summary: BackfillSummary) {
        var warnings = summary.inputProblems.map(\.description)
        warnings += summary.skips.filter { !$0.alreadyRead }.map(\.description)
        warnings += summary.notMailLogs.map(\.description)
        warnings += summary.failures
        let alreadyRead = summary.skips.filter(\.alreadyRead).count
        let readSomething = summary.files > 0 || alreadyRead > 0
        let onlyNotMail = summary.files > 0 && summary.notMailLogs.count == summary.files && alreadyRead == 0
        if !readSomething {
            warnings.append(
                "nothing was read: no input holds a log to read; name the mail logs, e.g. /var/log/mail.log*")
        } else if onlyNotMail {
            warnings.append("no input is a Postfix or Exim log; name the mail logs, e.g. /var/log/mail.log*")
        }
        var suffix = ""
        if alreadyRead > 0 { suffix += " (\(alreadyRead) already read)" }
        if !summary.inputProblems.isEmpty { suffix += ", \(summary.inputProblems.count) input(s) gave no file" }
        if !summary.notMailLogs.isEmpty { suffix += ", \(summary.notMailLogs.count) not a mail log" }
        self.warnings = warnings
        summarySuffix = suffix
        if !summary.failures.isEmpty {
            exitStatus = 2
        } else if !summary.inputProblems.isEmpty || summary.skips.contains(where: \.isProblem) || !readSomething
            || onlyNotMail
        {
            exitStatus = 1
        } else {
            exitStatus = 0
        }
    }
}
