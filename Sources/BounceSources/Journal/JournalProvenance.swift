/// Who wrote a journal entry, from the fields journald sets itself.
///
/// journald fills the `_`-prefixed fields from the sender's socket credentials (`_UID`), its
/// `/proc` entry (`_COMM`, `_EXE`) and its cgroup (`_SYSTEMD_UNIT`), and drops any `_` field a
/// sender writes itself (systemd.journal-fields(7)). A process cannot choose its `_UID` or its
/// unit; it can choose its `_COMM` (a copy of `logger` renamed `smtp`) and its `_EXE` (a copy of
/// any program at any path), and `SYSLOG_IDENTIFIER` and `SYSLOG_FACILITY` are plain text it sends.
public struct JournalProvenance: Sendable, Hashable, CustomStringConvertible {
    /// `_UID`: the sender's user id.
    public var uid: Int?
    /// `_COMM`: the sender's process name (at most 15 bytes, chosen by the process).
    public var comm: String?
    /// `_EXE`: the sender's executable path.
    public var exe: String?
    /// `_SYSTEMD_UNIT`: the system unit whose cgroup the sender runs in.
    public var unit: String?

    public init(uid: Int? = nil, comm: String? = nil, exe: String? = nil, unit: String? = nil) {
        self.uid = uid
        self.comm = comm
        self.exe = exe
        self.unit = unit
    }

    /// `uid=1000 comm=logger unit=session-3.scope`, with `-` for a missing field.
    public var description: String {
        "uid=\(uid.map(String.init) ?? "-") comm=\(Self.show(comm)) unit=\(Self.show(unit))"
    }

    /// A field for a log line: control characters escaped so an entry cannot forge log lines of ours.
    private static func show(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "-" }
        var out = ""
        for scalar in text.unicodeScalars.prefix(64) {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == " " || scalar == "\"" {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
