import BounceCore

/// One journal entry of an MTA, with the fields bouncetail uses.
///
/// `MESSAGE` is kept as bytes: journald stores it as a binary field when the sender wrote
/// invalid UTF-8 or control characters, and the line parser works on bytes anyway.
public struct JournalEntry: Sendable, Hashable {
    /// `MESSAGE`, exactly as stored (no syslog header: journald strips it).
    public var message: [UInt8]
    /// `SYSLOG_IDENTIFIER`, e.g. `postfix/smtp`, `postfix-out/smtp`, `exim`.
    public var identifier: String?
    /// `_PID` (trusted, set by journald).
    public var pid: Int?
    /// `__REALTIME_TIMESTAMP`: when journald received the entry, microseconds since the epoch (UTC).
    public var realtime: LogTime
    /// `_SYSTEMD_UNIT`, e.g. `postfix@-.service`.
    public var unit: String?
    /// `SYSLOG_FACILITY` (2 is `mail`).
    public var facility: Int?
    /// `_HOSTNAME` of the machine that wrote the entry.
    public var hostname: String?
    /// `_UID` of the sender (trusted, set by journald).
    public var uid: Int?
    /// `_COMM`: the sender's process name (set by journald, but chosen by the process).
    public var comm: String?
    /// `_EXE`: the sender's executable (set by journald; any user can copy a program anywhere).
    public var exe: String?
    /// The entry's cursor: resuming after it reads the next entry.
    public var cursor: String

    public init(
        message: [UInt8], identifier: String? = nil, pid: Int? = nil, realtime: LogTime, unit: String? = nil,
        facility: Int? = nil, hostname: String? = nil, uid: Int? = nil, comm: String? = nil, exe: String? = nil,
        cursor: String
    ) {
        self.message = message
        self.identifier = identifier
        self.pid = pid
        self.realtime = realtime
        self.unit = unit
        self.facility = facility
        self.hostname = hostname
        self.uid = uid
        self.comm = comm
        self.exe = exe
        self.cursor = cursor
    }

    /// `MESSAGE` decoded as UTF-8, invalid sequences replaced (for display and tests).
    public var messageText: String { String(decoding: message, as: UTF8.self) }

    /// Who wrote the entry, from the fields journald sets (see ``JournalTrust``).
    public var provenance: JournalProvenance { JournalProvenance(uid: uid, comm: comm, exe: exe, unit: unit) }

    /// This entry's place in the journal, to store and resume after.
    public var position: JournalPosition { JournalPosition(cursor: cursor, realtime: realtime) }
}
