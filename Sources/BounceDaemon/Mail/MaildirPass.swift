import BounceSources
import BounceStore
import Foundation

/// One look at a Maildir's `new/`: each mail is read, committed through ``MailIngest`` (the same path
/// as `ingest-mail`), and only then moved to `cur/` or deleted. A mail whose commit failed stays in
/// `new/` and ends the pass, so it is the first read at the next one.
public struct MaildirPass: Sendable {
    /// What one pass did.
    public struct Summary: Sendable, Hashable {
        /// Mails committed (and then moved or deleted).
        public var committed = 0
        /// Events new to the store.
        public var inserted = 0
        /// Events the store already had (the same mail seen before).
        public var duplicates = 0
        /// Why the pass stopped early.
        public var error: String?
    }

    public let ingest: MailIngest
    public let input: MaildirInputConfig

    public init(ingest: MailIngest, input: MaildirInputConfig) {
        self.ingest = ingest
        self.input = input
    }

    /// Reads what is in `new/` now.
    public func run(db: StateDB, shouldStop: () -> Bool = { false }) -> Summary {
        var summary = Summary()
        let maildir = Maildir(path: input.path)
        let limit = Int(ingest.config.mail.maxBytes.bytes) + 1
        do {
            try maildir.check()
            for message in try maildir.newMessages() {
                if shouldStop() { break }
                guard let bytes = try maildir.read(message, limit: limit) else { continue }
                let outcome: MailIngest.Outcome
                do {
                    outcome = try ingest.ingest(bytes, db: db)
                } catch {
                    summary.error = "\(message.path) not stored, left in new/: \(error)"
                    return summary
                }
                summary.committed += 1
                summary.inserted += outcome.inserted
                summary.duplicates += outcome.duplicates
                switch input.after {
                case .move: try maildir.markSeen(message)
                case .delete: try maildir.delete(message)
                }
            }
        } catch {
            summary.error = error.description
        }
        return summary
    }
}
