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
        try Self.ingest(config: common.config, state: common.state, verbose: verbose)
    }

    /// The options of an `ingest-mail` command line (the words after `ingest-mail`) read without
    /// ArgumentParser, or nil for anything but `--config PATH`, `--state PATH` (each at most once, also
    /// as `--option=PATH`) and `--verbose`: those go through ArgumentParser, so they read as everywhere.
    ///
    /// The MTA runs this command once per mail, and ArgumentParser's parse (reflection over every option,
    /// even for a command parsed as its own root) was an eighth of an invocation once the pattern set
    /// loaded from its compiled form.
    static func quickOptions(_ words: [String]) -> (config: String?, state: String?, verbose: Bool)? {
        var config: String?
        var state: String?
        var verbose = false
        var i = 0
        while i < words.count {
            let w = words[i]
            var name = w
            var value: String?
            if let eq = w.firstIndex(of: "=") {
                name = String(w[..<eq])
                value = String(w[w.index(after: eq)...])
            }
            switch name {
            case "--verbose":
                guard value == nil, !verbose else { return nil }
                verbose = true
            case "--config", "--state":
                if value == nil {
                    // A value that looks like an option is a usage mistake for ArgumentParser to word.
                    guard i + 1 < words.count, !words[i + 1].hasPrefix("-") else { return nil }
                    i += 1
                    value = words[i]
                }
                guard let v = value, !v.isEmpty else { return nil }
                if name == "--config" {
                    guard config == nil else { return nil }
                    config = v
                } else {
                    guard state == nil else { return nil }
                    state = v
                }
            default: return nil
            }
            i += 1
        }
        return (config, state, verbose)
    }

    /// Reads the mail on stdin and stores it; throws `ExitCode(75)` when it could not be made durable.
    static func ingest(config: String?, state: String?, verbose: Bool) throws {
        var opened: StateDB?
        do {
            let ctx = try CLIContext(config: config, state: state)
            let input = Self.readStandardInput(limit: Int(ctx.config.mail.maxBytes.bytes) + 1)
            let classifier = Classifier(set: try PipelineFactory.loadPatterns(ctx.config, locate: false))
            let db = try ctx.openState(oneShot: true)
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
            throw ExitCode(tempFail)
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
