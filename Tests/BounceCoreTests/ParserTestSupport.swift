import BounceCore
import Testing

/// Parses one line with a fresh parser (UTC, reference time 2026-12-01T00:00:00Z unless given).
func parseLine(_ line: String, options: LineParserOptions = testOptions) -> ParsedLine {
    var p = LineParser(options: options)
    return p.parse(line)
}

let testReference = LogTime(seconds: 1_796_083_200)  // 2026-12-01T00:00:00Z
let testOptions = LineParserOptions(timeZone: .utc, referenceTime: testReference)

/// The delivery attempt of a line, or nil when it is not a delivery record.
func deliveryOf(_ line: String, options: LineParserOptions = testOptions) -> DeliveryAttempt? {
    if case .delivery(let a) = parseLine(line, options: options).record { return a }
    return nil
}

/// Seconds since the epoch of a UTC civil time (test helper).
func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> LogTime {
    var days = 0
    // Days since 1970 by counting; fine for tests.
    for year in 1970..<y { days += (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365 }
    let leap = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
    let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for m in 0..<(mo - 1) { days += monthDays[m] }
    days += d - 1
    return LogTime(seconds: Int64(days) * 86_400 + Int64(h * 3600 + mi * 60 + s))
}
