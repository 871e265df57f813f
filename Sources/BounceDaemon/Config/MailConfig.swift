/// `[mail]`: bounce reports that arrive as mail (`bouncetail ingest-mail`, `classify-mail`, and the
/// Maildirs and IMAP/POP3 mailboxes `run` reads).
public struct MailConfig: Sendable, Equatable {
    /// Largest message parsed; larger ones are kept for review.
    public var maxBytes: ByteSize = .mebibytes(10)
    /// Deepest MIME nesting parsed; deeper ones are kept for review.
    public var maxDepth = 8
    /// Where mails that cannot be parsed are kept (one file each) for the operator.
    public var reviewDir = "/var/lib/bouncetail/mail-review"
    /// What a hard bounce or complaint from mail that names no message the logs show we sent becomes, at a site
    /// without log sources (with log sources such a report is always held: the logs are the proof).
    public var unmatched: UnmatchedPolicy = .hold
    /// `[[mail.maildir]]`: Maildirs `run` takes new mail from.
    public var maildirs: [MaildirInputConfig] = []
    /// `[[mail.mailbox]]`: IMAP and POP3 mailboxes `run` polls over TLS.
    public var mailboxes: [MailboxInputConfig] = []
    public init() {}

    /// Whether `run` has any mail input to read.
    public var hasInputs: Bool { !maildirs.isEmpty || !mailboxes.isEmpty }
}

/// What happens to a mail once its bounces are committed.
public enum MaildirDisposal: String, Sendable, Equatable, CaseIterable {
    /// Moved from `new/` to `cur/` with the Seen flag (`:2,S`), as a mail client would.
    case move
    /// Deleted.
    case delete
}

/// One `[[mail.maildir]]`.
public struct MaildirInputConfig: Sendable, Equatable {
    /// The Maildir (the directory holding `new/`, `cur/`, `tmp/`).
    public var path: String
    /// A label for metrics and logs. Default: the path.
    public var name: String
    /// What happens to a mail once committed.
    public var after: MaildirDisposal = .move
    /// How often `new/` is looked at.
    public var pollInterval: ConfigDuration = .seconds(5)

    public init(path: String, name: String? = nil) {
        self.path = path
        self.name = name ?? path
    }
}

/// What happens to a remote mail once its bounces are committed.
public enum MailboxDisposal: String, Sendable, Equatable, CaseIterable {
    /// POP3 DELE (applied at QUIT); IMAP `\Deleted` and EXPUNGE.
    case delete
    /// IMAP only: `UID MOVE` to `move_to`.
    case move
}

/// One `[[mail.mailbox]]`: an IMAP or POP3 mailbox read over TLS.
public struct MailboxInputConfig: Sendable, Equatable {
    /// `imaps://host[:port]/MAILBOX`, `pop3s://host[:port]`, or `imap://` / `pop3://` with STARTTLS required.
    public var url: String
    /// A label for metrics and logs. Default: the URL.
    public var name: String
    /// The login name.
    public var username: String
    /// A file whose first line is the password (never the configuration itself).
    public var passwordFile: String?
    /// An environment variable holding the password; wins over `password_file` when set.
    public var passwordEnv: String?
    /// Trust these CA certificates (PEM) instead of the system's.
    public var caFile: String?
    /// How often the mailbox is polled.
    public var pollInterval: ConfigDuration = .seconds(60)
    /// What happens to a mail once committed.
    public var after: MailboxDisposal = .delete
    /// The IMAP folder mails are moved to with `after = "move"`.
    public var moveTo: String?
    /// Connect and stall timeout.
    public var timeout: ConfigDuration = .seconds(30)

    public init(url: String, username: String, name: String? = nil) {
        self.url = url
        self.username = username
        self.name = name ?? url
    }

    /// The protocol, from the URL's scheme.
    public var isIMAP: Bool { url.lowercased().hasPrefix("imap") }
}

/// `[mail] unmatched`: the forged-mail policy of a site whose logs bouncetail does not read.
public enum UnmatchedPolicy: String, Sendable, Equatable, CaseIterable {
    /// Held in the outbox (`outbox release --reason unmatched` sends them).
    case hold
    /// Forwarded like any bounce: anyone who can mail the bounce address can unsubscribe anyone.
    case forward
}

extension BounceTailConfig {
    /// True when `run` reads MTA logs (files or the journal), so deliveries fill the sent index.
    public var hasLogSources: Bool { !sources.files.isEmpty || sources.journal.enabled }

    /// Whether a hard bounce or complaint from mail that names no message we sent is held: always with log
    /// sources, else as `[mail] unmatched` says.
    public var holdsUnmatchedMail: Bool { hasLogSources || mail.unmatched == .hold }
}

extension MailConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.size("max_bytes") {
            if v.bytes < 4096 || v.bytes > 1 << 30 {
                r.invalid("max_bytes", "\(v) is out of range; allowed: 4KiB to 1GiB")
            } else {
                maxBytes = v
            }
        }
        if let v = r.int("max_depth", in: 2...64) { maxDepth = v }
        if let v = ConfigValueCheck.absolutePath(r, "review_dir", r.string("review_dir")) { reviewDir = v }
        if let v = r.choice("unmatched", UnmatchedPolicy.self) { unmatched = v }
        maildirs = r.tableArray("maildir").compactMap { MaildirInputConfig(reading: $0) }
        mailboxes = r.tableArray("mailbox").compactMap { MailboxInputConfig(reading: $0) }
        r.finish()
        var seen: [String: String] = [:]
        for (i, m) in maildirs.enumerated() {
            if let first = seen[m.name] {
                r.context.report(
                    .invalidValue, keyPath: "mail.maildir[\(i)].name",
                    "\"\(m.name)\" is already the name of \(first); give each mail input its own name")
            }
            seen[m.name] = "mail.maildir[\(i)]"
        }
        for (i, m) in mailboxes.enumerated() {
            if let first = seen[m.name] {
                r.context.report(
                    .invalidValue, keyPath: "mail.mailbox[\(i)].name",
                    "\"\(m.name)\" is already the name of \(first); give each mail input its own name")
            }
            seen[m.name] = "mail.mailbox[\(i)]"
        }
    }
}

extension MaildirInputConfig {
    init?(reading r: TableReader) {
        let path = ConfigValueCheck.absolutePath(r, "path", r.string("path"))
        let name = r.nonEmptyString("name")
        self.init(path: path ?? "", name: name)
        if let v = r.choice("after", MaildirDisposal.self) { after = v }
        if let v = r.duration("poll_interval") {
            if v.milliseconds < 100 {
                r.invalid("poll_interval", "\(v) is too short; allowed: at least 100ms")
            } else {
                pollInterval = v
            }
        }
        r.finish()
        guard path != nil else {
            if r.table?.contains(key: "path") != true {
                r.missing(
                    "path",
                    #"each [[mail.maildir]] needs path = "/home/bounces/Maildir" (the directory holding new/ and cur/)"#
                )
            }
            return nil
        }
    }
}

extension MailboxInputConfig {
    /// The schemes accepted; the plain ones must offer STARTTLS, which is then required.
    static let schemes = ["imaps", "pop3s", "imap", "pop3"]

    init?(reading r: TableReader) {
        let url = r.nonEmptyString("url")
        let username = r.nonEmptyString("username")
        let name = r.nonEmptyString("name")
        self.init(url: url ?? "", username: username ?? "", name: name)
        passwordFile = ConfigValueCheck.absolutePath(r, "password_file", r.string("password_file"))
        passwordEnv = r.nonEmptyString("password_env")
        caFile = ConfigValueCheck.absolutePath(r, "ca_file", r.string("ca_file"))
        if let v = r.duration("poll_interval") {
            if v.milliseconds < 1000 {
                r.invalid("poll_interval", "\(v) is too short; allowed: at least 1s")
            } else {
                pollInterval = v
            }
        }
        if let v = r.duration("timeout") {
            if v.milliseconds < 1000 {
                r.invalid("timeout", "\(v) is too short; allowed: at least 1s")
            } else {
                timeout = v
            }
        }
        if let v = r.choice("after", MailboxDisposal.self) { after = v }
        moveTo = r.nonEmptyString("move_to")
        r.reject(
            "password",
            "the password is a secret and is not read from this file; put it in password_file (mode 0600) or the environment variable named by password_env"
        )
        r.finish()
        var ok = true
        if let url {
            let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            if !url.contains("://") || !Self.schemes.contains(scheme) {
                r.invalid(
                    "url",
                    "\"\(url)\" is not an IMAP or POP3 URL; write e.g. \"imaps://mail.example.org/INBOX\" or \"pop3s://mail.example.org\""
                )
                ok = false
            }
        } else {
            if r.table?.contains(key: "url") != true {
                r.missing(
                    "url", #"each [[mail.mailbox]] needs url = "imaps://mail.example.org/INBOX" or "pop3s://...""#)
            }
            ok = false
        }
        if username == nil {
            if r.table?.contains(key: "username") != true {
                r.missing("username", "each [[mail.mailbox]] needs the login name")
            }
            ok = false
        }
        if ok, passwordFile == nil, passwordEnv == nil {
            r.missing(
                "password_file",
                "set password_file (a file holding the password, mode 0600) or password_env (an environment variable's name)"
            )
        }
        if ok, after == .move {
            if !isIMAP {
                r.invalid(
                    "after",
                    #"POP3 has no folders: use after = "delete" (the mail is deleted only after its bounces are stored)"#
                )
            } else if moveTo == nil {
                r.missing(
                    "move_to", #"after = "move" needs the IMAP folder to move mails to, e.g. move_to = "Processed""#)
            }
        }
        guard ok else { return nil }
    }
}
