import BounceSources
import BounceStore
import Foundation

/// `backfill --maildir DIR --mbox FILE`: every mail already there, read once through ``MailIngest``
/// (the same commit path as `ingest-mail` and `run`). Nothing is moved or deleted: a backfill reads.
/// Running it again adds nothing (the same mail gives the same event keys).
public struct MailBackfill {
    /// What a backfill did.
    public struct Summary: Sendable, Hashable {
        /// Mails read and committed.
        public var mails = 0
        /// Events new to the store.
        public var inserted = 0
        /// Events the store already had.
        public var duplicates = 0
        /// Mails kept in the review directory (unreadable, over a cap).
        public var keptForReview = 0
        /// Records by kind.
        public var kinds: [String: Int] = [:]
        /// Inputs that could not be read, with why.
        public var failedInputs: [String] = []
        /// Whether it stopped on a request (SIGINT/SIGTERM) before the end.
        public var interrupted = false
    }

    public let ingest: MailIngest
    public let quoting: MboxQuoting

    public init(ingest: MailIngest, quoting: MboxQuoting = .mboxrd) {
        self.ingest = ingest
        self.quoting = quoting
    }

    private var limit: Int { Int(ingest.config.mail.maxBytes.bytes) + 1 }

    /// Reads each Maildir (`cur/` then `new/`) and each mbox file. Throws only when a commit failed
    /// (the state database is not usable); what was committed before stays committed.
    public func run(
        maildirs: [String], mboxes: [String], db: StateDB, shouldStop: () -> Bool = { false }
    ) throws -> Summary {
        var summary = Summary()
        for dir in maildirs {
            let maildir = Maildir(path: dir)
            do {
                try maildir.check()
                for message in try maildir.allMessages() {
                    if shouldStop() {
                        summary.interrupted = true
                        return summary
                    }
                    guard let bytes = try maildir.read(message, limit: limit) else { continue }
                    try add(bytes, into: &summary, db: db)
                }
            } catch let e as MaildirError {
                summary.failedInputs.append(e.description)
            }
        }
        for path in mboxes {
            do {
                let before = summary.mails
                var file = try MboxFile(path: path, quoting: quoting, limit: limit)
                defer { file.closeFile() }
                while let mail = try file.next() {
                    if shouldStop() {
                        summary.interrupted = true
                        return summary
                    }
                    try add(mail.bytes, into: &summary, db: db)
                }
                if summary.mails == before, file.leadingBytes > 0 {
                    summary.failedInputs.append(
                        "\(path) has no `From ` separator line: not a mbox file (for one mail use `ingest-mail < \(path)`)"
                    )
                }
            } catch let e as MaildirError {
                summary.failedInputs.append(e.description)
            }
        }
        return summary
    }

    private func add(_ bytes: [UInt8], into summary: inout Summary, db: StateDB) throws {
        let outcome = try ingest.ingest(bytes, db: db)
        summary.mails += 1
        summary.inserted += outcome.inserted
        summary.duplicates += outcome.duplicates
        if outcome.keptForReview != nil { summary.keptForReview += 1 }
        for (k, n) in outcome.kinds { summary.kinds[k, default: 0] += n }
    }
}
