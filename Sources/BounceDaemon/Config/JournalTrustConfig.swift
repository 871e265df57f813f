import BounceSources

/// `[sources.journal.trust]`: which journal entries are believed to come from the MTA, on the
/// fields journald sets itself (`_SYSTEMD_UNIT`, `_UID`, `_COMM`, `_EXE`); see `docs/journald.md`.
///
/// The defaults come from the real Postfix 3.7 and Exim 4.96 of Debian 12 logging to a real journald
/// (`e2e/journal-trust.sh`, `docs/design/2026-12-03-journal-trust.md`).
public struct JournalTrustConfig: Sendable, Equatable {
    /// `_SYSTEMD_UNIT` patterns that admit an entry (`*` any run of characters, `?` one).
    public var units: [String] = ["postfix.service", "postfix@*.service", "exim4.service"]
    /// User names or numeric uids whose `_UID` admits an entry; names are resolved at start, and a
    /// name this machine does not know is warned about and trusts nothing.
    public var users: [String] = ["postfix", "Debian-exim", "root"]
    /// `_COMM` patterns an admitted entry must also match; empty does not narrow. Never admits.
    public var commands: [String] = []
    /// `_EXE` patterns an admitted entry must also match; empty does not narrow. Never admits.
    public var executables: [String] = []
    /// `unit-or-user` (default) or `unit-and-user`.
    public var require: JournalTrust.Rule = .unitOrUser

    public init() {}

    /// The kernel keeps 15 bytes of a process name (`TASK_COMM_LEN` 16 with the NUL), so `_COMM`
    /// never holds more; a longer pattern without `*` could never match.
    static let commandLength = 15
}

extension JournalTrustConfig {
    init(reading r: TableReader, journalEnabled: Bool) {
        self.init()
        if let v = r.strings("units") {
            let bad = v.filter { $0.isEmpty || !$0.contains(".") }
            if bad.isEmpty {
                units = v
            } else {
                r.invalid(
                    "units",
                    "\(bad.map { "\"\($0)\"" }.joined(separator: ", ")) is not a unit name: _SYSTEMD_UNIT always "
                        + "has a suffix, e.g. \"postfix@*.service\" or \"exim4.service\"")
            }
        }
        if let v = r.strings("users") {
            let bad = v.filter { !Self.isUserSpec($0) }
            if bad.isEmpty {
                users = v
            } else {
                r.invalid(
                    "users",
                    "\(bad.map { "\"\($0)\"" }.joined(separator: ", ")) is neither a user name nor a uid "
                        + "(0 to 4294967294)")
            }
        }
        if let v = r.strings("commands") {
            let bad = v.filter { $0.isEmpty || (!$0.contains("*") && $0.utf8.count > Self.commandLength) }
            if bad.isEmpty {
                commands = v
            } else {
                r.invalid(
                    "commands",
                    "\(bad.map { "\"\($0)\"" }.joined(separator: ", ")) can never match: _COMM holds at most "
                        + "\(Self.commandLength) bytes of the process name (write \"cleanup\", or end it with *)")
            }
        }
        if let v = r.strings("executables") {
            let bad = v.filter { !$0.hasPrefix("/") && !$0.hasPrefix("*") }
            if bad.isEmpty {
                executables = v
            } else {
                r.invalid(
                    "executables",
                    "\(bad.map { "\"\($0)\"" }.joined(separator: ", ")) is not an absolute path or pattern "
                        + "(_EXE is absolute, e.g. \"/usr/lib/postfix/sbin/*\")")
            }
        }
        if let v = r.choice("require", JournalTrust.Rule.self) { require = v }
        r.finish()
        guard journalEnabled else { return }
        if units.isEmpty, users.isEmpty {
            r.invalid("units", "with both units and users empty every journal entry would be refused; set at least one")
        } else if require == .unitAndUser, units.isEmpty || users.isEmpty {
            r.invalid(
                "require",
                "\"unit-and-user\" needs both units and users; with \(units.isEmpty ? "units" : "users") empty "
                    + "every journal entry would be refused")
        }
    }

    /// A user name (what useradd(8) accepts, `Debian-exim` included) or a uid.
    static func isUserSpec(_ text: String) -> Bool {
        if let uid = Int(text) { return (0...4_294_967_294).contains(uid) }
        guard let first = text.unicodeScalars.first, first != "-", text.utf8.count <= 32 else { return false }
        return text.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
                || $0 == "." || $0 == "$"
        }
    }
}
