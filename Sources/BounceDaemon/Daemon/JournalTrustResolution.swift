import BounceSources

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `[sources.journal.trust]` made concrete at start: user names resolved to uids (once: a user
/// renumbered later needs a restart, as for any daemon that drops to a user).
public struct JournalTrustResolution: Sendable, Equatable {
    /// What the journal source checks each entry against.
    public var trust: JournalTrust
    /// Configured user names this machine does not know (they trust nothing).
    public var unknownUsers: [String]

    /// Resolves `config` with `lookup` (the system's user database by default).
    public init(_ config: JournalTrustConfig, lookup: (String) -> Int? = JournalTrustResolution.systemUID) {
        var uids = Set<Int>()
        var unknown: [String] = []
        for user in config.users {
            if let uid = Int(user) {
                uids.insert(uid)
            } else if let uid = lookup(user) {
                uids.insert(uid)
            } else {
                unknown.append(user)
            }
        }
        trust = JournalTrust(
            units: config.units, uids: uids, commands: config.commands, executables: config.executables,
            rule: config.require)
        unknownUsers = unknown
    }

    /// The uid of a user name in the system's user database (getpwnam_r), or nil.
    public static func systemUID(_ name: String) -> Int? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let rc = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else { return nil }
        return Int(entry.pw_uid)
    }

    /// Start-up warnings: unknown users, and trusted units no entry of the journal came from.
    public func warnings(unitsNotFound: [String]) -> [String] {
        var lines: [String] = []
        if !unknownUsers.isEmpty {
            lines.append(
                "journal trust: no such user \(unknownUsers.joined(separator: ", ")) on this machine; entries are "
                    + "not trusted by that name (set sources.journal.trust.users to the MTA's users or their uids)")
        }
        if !unitsNotFound.isEmpty {
            lines.append(
                "journal trust: no entry in the journal comes from unit \(unitsNotFound.joined(separator: ", ")); "
                    + "if the MTA runs under another unit, name it in sources.journal.trust.units "
                    + "(systemctl status postfix, journalctl -F _SYSTEMD_UNIT)")
        }
        return lines
    }
}
