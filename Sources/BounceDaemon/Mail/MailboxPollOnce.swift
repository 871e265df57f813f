import BounceClassifier
import BounceMailbox
import BounceStore
import Foundation

/// What one poll of a mail input did, as `poll-mailbox` prints it for `run` (one JSON object).
public struct MailPollResult: Sendable, Hashable, Codable {
    /// Mails committed (then deleted or moved).
    public var committed = 0
    /// Events new to the store.
    public var inserted = 0
    /// The error kind (the `error` label of `bouncetail_mail_poll_errors_total`), nil when it went through.
    public var errorKind: String?
    /// What failed and what to do.
    public var error: String?

    public init(committed: Int = 0, inserted: Int = 0, errorKind: String? = nil, error: String? = nil) {
        self.committed = committed
        self.inserted = inserted
        self.errorKind = errorKind
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case committed, inserted, error
        case errorKind = "error_kind"
    }
}

/// One poll of one IMAP or POP3 mailbox, committing each mail through ``MailIngest``. What
/// `bouncetail poll-mailbox` runs, in a child process of `run`.
public enum MailboxPollOnce {
    public static func run(
        _ input: MailboxInputConfig, ingest: MailIngest, db: StateDB,
        environment: [String: String] = ProcessInfo.processInfo.environment, shouldStop: () -> Bool
    ) -> MailPollResult {
        let password: String
        do {
            password = try input.resolvePassword(environment: environment)
        } catch {
            return MailPollResult(errorKind: "login", error: error.description)
        }
        let endpoint = MailboxEndpoint(
            url: input.url, username: input.username, password: password, caFile: input.caFile,
            timeoutSeconds: Int(max(1, input.timeout.milliseconds / 1000)))
        let limit = Int(ingest.config.mail.maxBytes.bytes) + 1
        var inserted = 0
        let commit: ([UInt8]) throws -> Void = { bytes in
            inserted += try ingest.ingest(bytes, db: db).inserted
        }
        let summary: PollSummary
        do {
            if input.isIMAP {
                let disposal: IMAPMailbox.Disposal =
                    input.after == .move ? .move(to: input.moveTo ?? "Processed") : .delete
                summary = MailboxPoll.run(
                    try IMAPMailbox(endpoint, disposal: disposal), limit: limit, commit: commit, shouldStop: shouldStop)
            } else {
                summary = MailboxPoll.run(
                    try POP3Mailbox(endpoint), limit: limit, commit: commit, shouldStop: shouldStop)
            }
        } catch {
            return MailPollResult(errorKind: error.kind.rawValue, error: error.description)
        }
        return MailPollResult(
            committed: summary.committed, inserted: inserted, errorKind: summary.error?.kind.rawValue,
            error: summary.error?.description)
    }
}
