/// Calendar arithmetic on the proleptic Gregorian calendar, without Foundation (hot path).
enum CivilTime {
    /// Days since 1970-01-01 of the given civil date (Howard Hinnant's `days_from_civil`).
    @inlinable
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    @inlinable
    static func date(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Seconds since the epoch of a civil date-time read as if it were UTC.
    @inlinable
    static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        Int64(days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The month number (1-12) of a three-letter English month abbreviation at `at`, case-insensitive.
    @inlinable
    static func month(_ s: ByteSpan, at i: Int) -> Int? {
        guard i + 3 <= s.count else { return nil }
        let a = s[i] | 0x20, b = s[i + 1] | 0x20, c = s[i + 2] | 0x20
        switch (a, b, c) {
        case (0x6A, 0x61, 0x6E): return 1  // jan
        case (0x66, 0x65, 0x62): return 2  // feb
        case (0x6D, 0x61, 0x72): return 3  // mar
        case (0x61, 0x70, 0x72): return 4  // apr
        case (0x6D, 0x61, 0x79): return 5  // may
        case (0x6A, 0x75, 0x6E): return 6  // jun
        case (0x6A, 0x75, 0x6C): return 7  // jul
        case (0x61, 0x75, 0x67): return 8  // aug
        case (0x73, 0x65, 0x70): return 9  // sep
        case (0x6F, 0x63, 0x74): return 10  // oct
        case (0x6E, 0x6F, 0x76): return 11  // nov
        case (0x64, 0x65, 0x63): return 12  // dec
        default: return nil
        }
    }

    /// Whether the fields form a plausible date-time (day within its month, leap years included).
    @inlinable
    static func isValid(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Bool {
        guard (1...12).contains(month), day >= 1, hour < 24, minute < 60, second <= 60 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    @inlinable
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
