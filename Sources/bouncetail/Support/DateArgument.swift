import ArgumentParser
import Foundation

/// Dates given on the command line: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
enum DateArgument {
    static func parse(_ text: String, option: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let d = full.date(from: text) { return d }
        let frac = ISO8601DateFormatter()
        frac.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = frac.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let d = day.date(from: text) { return d }
        throw ValidationError("\(option) \(text): not a date; use YYYY-MM-DD or RFC 3339 such as 2026-11-26T16:00:00Z")
    }
}
