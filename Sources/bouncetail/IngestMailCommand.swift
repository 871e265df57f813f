import ArgumentParser
import BounceClassifier
import BounceDaemon
import BounceMail
import BounceStore
import Foundation

/// `bouncetail ingest-mail`: one bounce report mail on stdin, from the MTA's pipe (Postfix `pipe(8)`,
/// Exim's pipe transport, `.forward`, procmail, sieve).
///
/// Exit status is what the MTA acts on: 0 once the mail is safe (its events committed to the state
/// database, or the mail kept in the review directory when it cannot be read); 75 (EX_TEMPFAIL) when
/// nothing could be made durable, so the MTA keeps the mail and retries. Any other status would make
/// the MTA return the mail to its sender or drop it, so no other is used after the mail was read.
struct IngestMailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-mail",
        abstract: "Read one bounce report mail on stdin and store its bounces (for the MTA's pipe).",
        discussion: """
            Exits 0 when the mail's bounces and complaints are committed to the state database (or the mail
            is kept for review because it cannot be read), and 75 (EX_TEMPFAIL) when they could not be
            committed: the MTA then keeps the mail and retries. See docs/mail.md for the Postfix and Exim set-up.
            """)

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "Print what was stored as one line on standard error.")
    var verbose = false

    static let tempFail: Int32 = 75

    func run() throws {
        var opened: StateDB?
        do {
            let ctx = try CLIContext(common)
            let input = Self.readStandardInput(limit: Int(ctx.config.mail.maxBytes.bytes) + 1)
            let classifier = Classifier(set: try PipelineFactory.loadPatterns(ctx.config, locate: false))
            let db = try ctx.openState()
            opened = db
            let outcome = try MailIngest(config: ctx.config, classifier: classifier).ingest(input, db: db)
            if let kept = outcome.keptForReview {
                StandardError.line("bouncetail ingest-mail: \(kept.why); kept as \(kept.path)")
            } else if verbose {
                let kinds = outcome.kinds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: " ")
                StandardError.line(
                    "bouncetail ingest-mail: \(outcome.inserted) new event(s), \(outcome.duplicates) already stored; records: \(kinds)"
                )
            }
        } catch {
            // The MTA keeps the mail and retries: say why in its log.
            StandardError.line("bouncetail ingest-mail: not stored, the MTA will retry (exit 75): \(error)")
            // Counted when the database still takes a write (a busy lock that cleared, a failure elsewhere); when
            // the database itself is what failed, the MTA's log is the only record.
            try? opened?.addToCounters(["mail.tempfails": 1])
            throw ExitCode(Self.tempFail)
        }
    }

    /// Reads stdin up to `limit` bytes; the rest is read and dropped, so the MTA's pipe sees the whole
    /// mail consumed (a mail over the cap is then kept, truncated, for review with its reason).
    static func readStandardInput(limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if out.count < limit { out += buffer[0..<min(n, limit - out.count)] }
        }
        return out
    }
}
