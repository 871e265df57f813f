import BounceSources
import Testing

@testable import BounceDaemon

/// A backfill's exit status and warnings: missing inputs and nothing read are not successes.
@Suite("Backfill verdict")
struct BackfillVerdictTests {
    @Test func aReadLogWithNothingWrongExitsZeroWithoutWarnings() {
        var s = BackfillSummary()
        s.files = 1
        let v = BackfillVerdict(s)
        #expect(v.exitStatus == 0)
        #expect(v.warnings.isEmpty)
        #expect(v.summarySuffix.isEmpty)
    }

    @Test func aMissingInputBesideAReadLogIsNamedAndExitsOne() {
        var s = BackfillSummary()
        s.files = 1
        s.inputProblems = [BackfillInputProblem(input: "/var/log/nope.log", kind: .noSuchFile)]
        let v = BackfillVerdict(s)
        #expect(v.exitStatus == 1)
        #expect(v.warnings == ["/var/log/nope.log: no such file or directory"])
        #expect(v.summarySuffix == ", 1 input(s) gave no file")
    }

    @Test func anEmptyDirectoryAloneReadsNothingAndSaysSo() {
        var s = BackfillSummary()
        s.inputProblems = [BackfillInputProblem(input: "/tmp/logs", kind: .emptyDirectory)]
        let v = BackfillVerdict(s)
        #expect(v.exitStatus == 1)
        #expect(v.warnings.first == "/tmp/logs: directory without files to read")
        #expect(v.warnings.last?.hasPrefix("nothing was read") == true)
    }

    @Test func anEmptyFileIsSkippedWithItsReasonAndReadsNothing() {
        var s = BackfillSummary()
        s.skippedFiles = 1
        s.skips = [BackfillSkipped(path: "/tmp/empty.log", reason: "skipped, empty file: nothing to read")]
        let v = BackfillVerdict(s)
        #expect(v.exitStatus == 1)
        #expect(v.warnings.first == "/tmp/empty.log: skipped, empty file: nothing to read")
    }

    @Test func filesAlreadyReadAreCountedNotWarnedAndExitZero() {
        var s = BackfillSummary()
        s.skippedFiles = 2
        s.skips = (1...2).map { BackfillSkipped(path: "/l/mail.log.\($0)", reason: "skipped", alreadyRead: true) }
        let v = BackfillVerdict(s)
        #expect(v.exitStatus == 0)
        #expect(v.warnings.isEmpty)
        #expect(v.summarySuffix == " (2 already read)")
    }

    @Test func aFileThatIsNotAMailLogIsNamedButOtherLogsStillCount() {
        var s = BackfillSummary()
        s.files = 2
        s.notMailLogs = [BackfillSkipped(path: "samples/x.tsv", reason: "read, but none ...")]
        let v = BackfillVerdict(s)
        #expect(v.exitStatus == 0)
        #expect(v.warnings == ["samples/x.tsv: read, but none ..."])
        s.files = 1
        #expect(BackfillVerdict(s).exitStatus == 1)
        #expect(BackfillVerdict(s).warnings.last?.hasPrefix("no input is a Postfix or Exim log") == true)
    }

    @Test func anUnreadableFileExitsOneAndAReadFailureTwo() {
        var s = BackfillSummary()
        s.files = 1
        s.skips = [BackfillSkipped(path: "/l/secret.log", reason: "skipped, cannot be read", isProblem: true)]
        #expect(BackfillVerdict(s).exitStatus == 1)
        s.failures = ["/l/mail.log.2.gz: corrupt gzip"]
        #expect(BackfillVerdict(s).exitStatus == 2)
        #expect(BackfillVerdict(s).warnings.last == "/l/mail.log.2.gz: corrupt gzip")
    }
}
