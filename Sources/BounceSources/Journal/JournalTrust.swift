/// Which journal entries are believed to come from the MTA, decided on the fields journald sets
/// itself (see ``JournalProvenance``), never on what the sender wrote.
///
/// An entry is **admitted** by its unit (`_SYSTEMD_UNIT` matches one of ``units``) or by its user
/// (`_UID` is one of ``uids``); with ``Rule/unitAndUser`` it needs both. A unit never admits an entry
/// written by a login user's uid (``firstLoginUID`` and up): local(8) and Exim run a `.forward`
/// command or a `mailbox_command` as the recipient *inside* the MTA's unit, so any local user who can
/// mail themselves could otherwise write a bounce line that the unit vouches for. ``commands`` and
/// ``executables`` only **narrow**: when set, an admitted entry must also match them, but they
/// never admit one (a process names itself, and any user can copy `logger` to a file named `smtp`).
///
/// Pure: the caller resolves user names to uids once, at start.
public struct JournalTrust: Sendable, Hashable {
    /// How the unit and the user combine.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        /// Admitted by a trusted unit or a trusted uid.
        case unitOrUser = "unit-or-user"
        /// Admitted only by a trusted uid inside a trusted unit: refuses what a local user's
        /// `.forward` command (run by local(8) inside the MTA's unit, as that user) writes.
        case unitAndUser = "unit-and-user"
    }

    /// `_SYSTEMD_UNIT` patterns; `*` stands for any run of characters, `?` for one.
    public var units: [String]
    /// Trusted `_UID` values.
    public var uids: Set<Int>
    /// `_COMM` patterns an admitted entry must match; empty does not narrow.
    public var commands: [String]
    /// `_EXE` patterns an admitted entry must match; empty does not narrow.
    public var executables: [String]
    /// How ``units`` and ``uids`` combine.
    public var rule: Rule
    /// The first uid of a login user (Debian's `UID_MIN` in /etc/login.defs). Such a uid is never
    /// vouched for by a unit alone; listing it in ``uids`` still admits it.
    public var firstLoginUID: Int = 1000

    public init(
        units: [String], uids: Set<Int>, commands: [String] = [], executables: [String] = [],
        rule: Rule = .unitOrUser
    ) {
        self.units = units
        self.uids = uids
        self.commands = commands
        self.executables = executables
        self.rule = rule
    }

    /// What admitted an entry.
    public enum Basis: String, Sendable, Hashable {
        case unit
        case user
        case unitAndUser = "unit-and-user"
    }

    /// Why an entry was refused.
    public enum Refusal: String, Sendable, Hashable {
        /// Neither its unit nor its uid is trusted.
        case untrustedSender = "neither unit nor uid is trusted"
        /// ``Rule/unitAndUser``: one of the two is trusted, the other is not.
        case unitWithoutUser = "a trusted unit but not a trusted uid"
        case userWithoutUnit = "a trusted uid but not a trusted unit"
        /// A trusted unit, but written by a login user's uid that is not trusted (a `.forward` command).
        case loginUserInUnit = "a login user's uid inside a trusted unit (a .forward or mailbox command)"
        /// Admitted, but `_COMM` is not among ``commands``.
        case command = "its process name is not among the allowed commands"
        /// Admitted, but `_EXE` is not among ``executables``.
        case executable = "its executable is not among the allowed executables"
    }

    /// The verdict on one entry.
    public enum Decision: Sendable, Hashable {
        case admitted(Basis)
        case refused(Refusal)

        public var isAdmitted: Bool {
            if case .admitted = self { return true }
            return false
        }
    }

    /// Decides on an entry from its trusted fields.
    public func decide(_ provenance: JournalProvenance) -> Decision {
        let byUnit = provenance.unit.map { unit in units.contains { Self.glob($0, matches: unit) } } ?? false
        let byUser = provenance.uid.map { uids.contains($0) } ?? false
        if rule == .unitOrUser, byUnit, !byUser, let uid = provenance.uid, uid >= firstLoginUID {
            return .refused(.loginUserInUnit)
        }
        let basis: Basis
        switch (rule, byUnit, byUser) {
        case (_, true, true): basis = .unitAndUser
        case (.unitOrUser, true, false): basis = .unit
        case (.unitOrUser, false, true): basis = .user
        case (.unitAndUser, true, false): return .refused(.unitWithoutUser)
        case (.unitAndUser, false, true): return .refused(.userWithoutUnit)
        case (_, false, false): return .refused(.untrustedSender)
        }
        if !commands.isEmpty {
            guard let comm = provenance.comm, commands.contains(where: { Self.glob($0, matches: comm) }) else {
                return .refused(.command)
            }
        }
        if !executables.isEmpty {
            guard let exe = provenance.exe, executables.contains(where: { Self.glob($0, matches: exe) }) else {
                return .refused(.executable)
            }
        }
        return .admitted(basis)
    }

    /// Whether `text` matches `pattern` as a whole: `*` is any run of characters (`/` included,
    /// so `/usr/lib/postfix/sbin/*` covers every Postfix daemon), `?` is one character.
    public static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(text.utf8)
        // Iterative wildcard matching with one backtrack point: linear in practice, and never
        // exponential on hostile input (a unit or command name is chosen by whoever names it).
        var pi = 0
        var ti = 0
        var starP = -1
        var starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == UInt8(ascii: "?") || (p[pi] != UInt8(ascii: "*") && p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                starP = pi
                starT = ti
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starT += 1
                ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
