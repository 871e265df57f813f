/// An IMAP or POP3 session failed. Nothing is lost: what was not committed stays in the mailbox.
public struct MailboxError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for the `error` label of the poll error metric.
    public enum Kind: String, Sendable {
        case connection
        case tls
        case login
        case protocolError = "protocol"
        /// The mail could not be committed to the state database.
        case commit
        /// libcurl could not be loaded or started.
        case library
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        switch kind {
        case .login: return message + "; check username and the password in password_file or password_env"
        case .tls:
            return message + "; check the server's certificate, or set ca_file to the CA that signed it"
        case .connection:
            return message + "; check url and that the server is reachable; it is tried again at the next poll"
        case .protocolError, .commit, .library: return message
        }
    }
}
