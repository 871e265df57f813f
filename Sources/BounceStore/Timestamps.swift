import BounceCore
import Foundation

/// The current time; injected so tests move time without sleeping.
public typealias StateClock = @Sendable () -> Date

/// Conversions between `Date`, the integer microseconds the database stores, and RFC 3339 text.
///
/// Times are stored as integer microseconds since the epoch: exact ordering and comparison in SQL,
/// and the same unit as `LogTime` and journald.
enum Timestamps {
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into microseconds; nil when it is not that shape.
    /// The events' own parser (``RFC3339``), so what the store reads back is what the builder wrote.
    static func parseRFC3339(_ text: String) -> Int64? {
        RFC3339.parse(text)?.microseconds
    }

    /// `2026-11-26T16:21:54Z`, or with `.ffffff` when there is a fraction: the form listmonk returns.
    static func formatRFC3339(micros: Int64) -> String {
        RFC3339.format(LogTime(microseconds: micros))
    }
}
