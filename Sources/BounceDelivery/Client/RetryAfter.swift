import Foundation

/// Parses an HTTP `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// The wait the header asks for, measured from `now`; nil when the value is neither form.
    /// A date in the past gives zero.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Very long digit strings are absurd waits; clamp rather than overflow.
            guard let seconds = Int64(text.prefix(12)) else { return nil }
            return .seconds(seconds)
        }
        guard let date = httpDate(text) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form a sender may generate;
    /// the obsolete RFC 850 and asctime forms are also accepted, as recipients must.
    static func httpDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var day: Int?, month: Int?, year: Int?, time: String?
        if parts.count == 6, parts[5] == "GMT" {  // IMF-fixdate
            day = Int(parts[1]); month = months.firstIndex(of: parts[2]); year = Int(parts[3]); time = parts[4]
        } else if parts.count == 4, parts[3] == "GMT" {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let dmy = parts[1].split(separator: "-").map(String.init)
            if dmy.count == 3, let y = Int(dmy[2]) {
                day = Int(dmy[0]); month = months.firstIndex(of: dmy[1]);
                year = y < 70 ? 2000 + y : (y < 100 ? 1900 + y : y)
            }
            time = parts[2]
        } else if parts.count == 5 {  // asctime: Sun Nov  6 08:49:37 1994
            month = months.firstIndex(of: parts[1]); day = Int(parts[2]); time = parts[3]; year = Int(parts[4])
        }
        guard let day, let month, let year, let time else { return nil }
        let hms = time.split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (1...31).contains(day), hms[0] < 24, hms[1] < 60, hms[2] < 61 else { return nil }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "GMT")
        components.year = year
        components.month = month + 1
        components.day = day
        components.hour = hms[0]
        components.minute = hms[1]
        components.second = hms[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        return calendar.date(from: components)
    }
}
