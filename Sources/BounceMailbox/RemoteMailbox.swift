/// One session with a remote mailbox: list what is there, fetch a mail, dispose of it once its
/// bounces are committed, and end the session (which is when POP3 applies its deletions).
public protocol RemoteMailbox {
    /// How the session names a mail (an IMAP UID, a POP3 message number).
    associatedtype Ref: Sendable & Hashable & CustomStringConvertible

    /// The mails to read, in the server's order.
    func list() throws(MailboxError) -> [Ref]
    /// One mail's bytes, at most `limit` (a longer mail is cut and then refused as too large).
    func fetch(_ ref: Ref, limit: Int) throws(MailboxError) -> [UInt8]
    /// Deletes or moves the mail. Called only after its bounces are committed.
    func dispose(_ ref: Ref) throws(MailboxError)
    /// Ends the session: IMAP EXPUNGE and LOGOUT, POP3 QUIT. Called once, even after a failure.
    func finish() throws(MailboxError)
}

/// What one poll did.
public struct PollSummary: Sendable, Hashable {
    /// Mails the server listed.
    public var listed = 0
    /// Mails fetched and committed.
    public var committed = 0
    /// Mails deleted or moved after their commit.
    public var disposed = 0
    /// Why the poll stopped early (nil when it went through).
    public var error: MailboxError?

    public init() {}

    public static func == (a: PollSummary, b: PollSummary) -> Bool {
        a.listed == b.listed && a.committed == b.committed && a.disposed == b.disposed
            && a.error?.description == b.error?.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(listed)
        h.combine(committed)
        h.combine(disposed)
    }
}

/// The order every poll keeps, whatever the protocol: fetch, commit, and only then delete or move.
///
/// A failure stops the poll where it is: a mail whose commit failed is not disposed of (it is read
/// again at the next poll), and a crash at any point repeats at most the mails committed but not yet
/// disposed of, which the store's dedup turns into nothing.
public enum MailboxPoll {
    /// Runs one poll over `mailbox`.
    /// - Parameters:
    ///   - limit: the largest mail kept (bytes).
    ///   - commit: stores one mail's bounces durably; throws when it could not.
    ///   - shouldStop: asked between mails (a stop request finishes the current mail, then ends the session).
    public static func run<M: RemoteMailbox>(
        _ mailbox: M, limit: Int, commit: ([UInt8]) throws -> Void, shouldStop: () -> Bool = { false }
    ) -> PollSummary {
        var summary = steps(mailbox, limit: limit, commit: commit, shouldStop: shouldStop)
        do {
            try mailbox.finish()
        } catch {
            if summary.error == nil { summary.error = error }
        }
        return summary
    }

    private static func steps<M: RemoteMailbox>(
        _ mailbox: M, limit: Int, commit: ([UInt8]) throws -> Void, shouldStop: () -> Bool
    ) -> PollSummary {
        var summary = PollSummary()
        let refs: [M.Ref]
        do {
            refs = try mailbox.list()
        } catch {
            summary.error = error
            return summary
        }
        summary.listed = refs.count
        for ref in refs {
            if shouldStop() { break }
            do {
                let bytes = try mailbox.fetch(ref, limit: limit)
                do {
                    try commit(bytes)
                } catch {
                    summary.error = MailboxError(.commit, "mail \(ref) not stored, left in the mailbox: \(error)")
                    return summary
                }
                summary.committed += 1
                try mailbox.dispose(ref)
                summary.disposed += 1
            } catch {
                summary.error = error
                return summary
            }
        }
        return summary
    }
}
