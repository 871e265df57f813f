import BounceCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where a ``JournalSource`` actually started; log its ``description`` at start-up.
public enum JournalStartReport: Sendable, Hashable, CustomStringConvertible {
    /// From the tail: only entries written from now on.
    case tail
    /// From the oldest entry.
    case head
    /// From the first entry at or after this time.
    case since(LogTime)
    /// Right after the stored cursor, which was found.
    case afterCursor(JournalPosition)
    /// The stored cursor names no entry any more (vacuumed, rotated away, or another journal):
    /// reading resumed at `resumedFrom`, the cursor's realtime minus the overlap. Entries in the
    /// overlap are read again; the outbox dedup key drops the events they repeat.
    case cursorNotFound(JournalPosition, resumedFrom: LogTime, overlapMicroseconds: Int64)

    /// True when the stored position could not be used exactly.
    public var isFallback: Bool {
        if case .cursorNotFound = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .tail:
            return "journal: starting at the tail (new entries only)"
        case .head:
            return "journal: starting at the oldest entry"
        case .since(let time):
            return "journal: starting at \(Self.format(time)) (--since)"
        case .afterCursor(let position):
            return "journal: resuming after cursor \(position.cursor)"
        case .cursorNotFound(let position, let from, let overlap):
            return "journal: cursor not found (journal vacuumed or rotated?): \(position.cursor); "
                + "resumed from realtime \(Self.format(position.realtime)) minus overlap \(overlap / 1_000_000)s "
                + "(\(Self.format(from))); duplicates are dropped by the dedup key"
        }
    }

    /// RFC 3339 in UTC with microseconds.
    static func format(_ time: LogTime) -> String {
        var seconds = time_t(time.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let micros = time.microseconds - time.seconds * 1_000_000
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + ".\(pad(Int(micros), 6))Z"
    }
}
