import BounceCore

/// A place in the journal to resume after: the cursor of the last entry read, plus its realtime
/// timestamp for when the cursor no longer names an entry (the journal was vacuumed or rotated away).
///
/// Store both. If only the cursor string survived, ``init(cursor:)`` recovers the timestamp from the
/// cursor's `t=` field.
public struct JournalPosition: Sendable, Hashable, Codable {
    /// An sd-journal cursor (`s=...;i=...;b=...;m=...;t=...;x=...`), opaque to bouncetail.
    public var cursor: String
    /// `__REALTIME_TIMESTAMP` of that entry.
    public var realtime: LogTime

    public init(cursor: String, realtime: LogTime) {
        self.cursor = cursor
        self.realtime = realtime
    }

    /// A position from a cursor alone, taking the realtime timestamp from the cursor's `t=` field
    /// (hexadecimal microseconds). Returns nil when the cursor has no readable `t=` field.
    public init?(cursor: String) {
        guard let realtime = Self.realtime(inCursor: cursor) else { return nil }
        self.init(cursor: cursor, realtime: realtime)
    }

    /// The `t=` field of an sd-journal cursor, if present and well formed.
    public static func realtime(inCursor cursor: String) -> LogTime? {
        for part in cursor.utf8.split(separator: UInt8(ascii: ";")) {
            guard part.count > 2, part.first == UInt8(ascii: "t"),
                part[part.index(after: part.startIndex)] == UInt8(ascii: "=")
            else { continue }
            var value: Int64 = 0
            for byte in part.dropFirst(2) {
                let digit: Int64
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int64(byte - UInt8(ascii: "a") + 10)
                default: return nil
                }
                // Fifteen hex digits already exceed any realistic timestamp; refuse overflow.
                guard value < (Int64.max >> 4) else { return nil }
                value = value << 4 | digit
            }
            return LogTime(microseconds: value)
        }
        return nil
    }
}
