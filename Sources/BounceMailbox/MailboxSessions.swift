import Foundation

/// Where a mailbox is and how to log in.
public struct MailboxEndpoint: Sendable {
    /// `imaps://host[:port]/MAILBOX`, `pop3s://host[:port]`, `imap://` / `pop3://` (STARTTLS required).
    public var url: String
    public var username: String
    public var password: String
    /// PEM CA certificates to trust instead of the system's.
    public var caFile: String?
    /// Connect and stall timeout, seconds.
    public var timeoutSeconds: Int

    public init(url: String, username: String, password: String, caFile: String?, timeoutSeconds: Int) {
        self.url = url
        self.username = username
        self.password = password
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
    }

    var sessionOptions: CurlSession.Options {
        CurlSession.Options(username: username, password: password, caFile: caFile, timeoutSeconds: timeoutSeconds)
    }

    /// `scheme://host[:port]/`, the URL without a path.
    var root: String {
        guard let s = url.range(of: "://") else { return url }
        let rest = url[s.upperBound...]
        let host = rest.prefix(while: { $0 != "/" && $0 != "?" })
        return String(url[..<s.upperBound]) + host + "/"
    }

    /// The path after the host, without slashes at either end (the IMAP mailbox).
    var path: String {
        guard let s = url.range(of: "://") else { return "" }
        let rest = url[s.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "" }
        return String(rest[rest.index(after: slash)...]).trimmingCharacters(in: ["/"])
    }
}

/// One IMAP session (RFC 3501 through libcurl): `UID SEARCH UNDELETED`, fetch by UID, then
/// `\Deleted` (expunged when the session ends) or `UID MOVE` (RFC 6851) per mail.
public final class IMAPMailbox: RemoteMailbox {
    public enum Disposal: Sendable {
        case delete
        case move(to: String)
    }

    private let session: CurlSession
    private let mailboxURL: String
    private let disposal: Disposal
    private var deleted = 0

    public init(_ endpoint: MailboxEndpoint, disposal: Disposal) throws(MailboxError) {
        session = try CurlSession(options: endpoint.sessionOptions)
        let box = endpoint.path.isEmpty ? "INBOX" : endpoint.path
        mailboxURL = endpoint.root + box
        self.disposal = disposal
    }

    public func list() throws(MailboxError) -> [UInt32] {
        // Mails already flagged \Deleted were committed before the flag was set; EXPUNGE removes them.
        MailboxResponses.searchUIDs(try session.perform(mailboxURL, customRequest: "UID SEARCH UNDELETED"))
    }

    public func fetch(_ uid: UInt32, limit: Int) throws(MailboxError) -> [UInt8] {
        try session.perform(mailboxURL + "/;UID=\(uid)", limit: limit)
    }

    public func dispose(_ uid: UInt32) throws(MailboxError) {
        switch disposal {
        case .delete:
            _ = try session.perform(mailboxURL, customRequest: "UID STORE \(uid) +FLAGS.SILENT (\\Deleted)")
            deleted += 1
        case .move(let folder):
            _ = try session.perform(mailboxURL, customRequest: "UID MOVE \(uid) \(MailboxResponses.quoted(folder))")
        }
    }

    public func finish() throws(MailboxError) {
        defer { session.close() }
        if deleted > 0 { _ = try session.perform(mailboxURL, customRequest: "EXPUNGE") }
    }
}

/// One POP3 session (RFC 1939 through libcurl): LIST, RETR, DELE per mail; the server applies the
/// DELEs at QUIT, so a session that dies first deletes nothing (the mails are read again).
public final class POP3Mailbox: RemoteMailbox {
    private let session: CurlSession
    private let root: String

    public init(_ endpoint: MailboxEndpoint) throws(MailboxError) {
        session = try CurlSession(options: endpoint.sessionOptions)
        root = endpoint.root
    }

    public func list() throws(MailboxError) -> [Int] {
        MailboxResponses.listNumbers(try session.perform(root))
    }

    public func fetch(_ n: Int, limit: Int) throws(MailboxError) -> [UInt8] {
        try session.perform(root + "\(n)", limit: limit)
    }

    public func dispose(_ n: Int) throws(MailboxError) {
        _ = try session.perform(root + "\(n)", customRequest: "DELE", noBody: true)
    }

    public func finish() throws(MailboxError) {
        session.close()
    }
}
