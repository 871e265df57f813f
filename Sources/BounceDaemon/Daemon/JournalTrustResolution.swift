import BounceSources
import Foundation

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
    /// `firstLoginUID` is the first uid of a login user, which a unit alone never vouches for (Debian's
    /// `UID_MIN` from /etc/login.defs by default).
    public init(
        _ config: JournalTrustConfig, lookup: (String) -> Int? = JournalTrustResolution.systemUID,
        firstLoginUID: Int = JournalTrustResolution.loginUIDMin()
    ) {
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
        trust.firstLoginUID = firstLoginUID
        unknownUsers = unknown
    }

    /// `UID_MIN` from `path` (login.defs(5)): the first uid useradd(8) gives a login user; 1000, Debian's
    /// default, when the file or the key is missing or unreadable.
    public static func loginUIDMin(path: String = "/etc/login.defs") -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 1000 }
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 2, fields[0] == "UID_MIN", let uid = Int(fields[1]), uid > 0 { return uid }
        }
        return 1000
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
