/// RFC 3339 timestamps in UTC from integer arithmetic (no Foundation, no time zone database).
public enum RFC3339 {
    /// `2026-11-26T16:21:54Z`, or `2026-11-26T16:21:54.250000Z` when the time has a sub-second part.
    public static func format(_ t: LogTime) -> String {
        let micros = t.microseconds
        var secs = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 {
            frac += 1_000_000
            secs -= 1
        }
        var days = secs / 86_400
        var sod = secs % 86_400
        if sod < 0 {
            sod += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        var out: [UInt8] = []
        out.reserveCapacity(27)
        if y < 0 { out.append(UInt8(ascii: "-")) }
        append(abs(y), width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        append(m, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        append(d, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        append(sod / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(sod / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(sod % 60, width: 2, to: &out)
        if frac != 0 {
            out.append(UInt8(ascii: "."))
            append(frac, width: 6, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (what ``format(_:)`` writes, and offsets); nil otherwise.
    /// Fraction digits beyond microseconds are truncated.
    public static func parse(_ s: String) -> LogTime? {
        let b = Array(s.utf8)
        func num(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= b.count else { return nil }
            var v: Int64 = 0
            for i in at..<(at + n) {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        func at(_ i: Int, _ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue! }
        guard let y = num(0, 4), at(4, "-"), let mo = num(5, 2), at(7, "-"), let d = num(8, 2),
            at(10, "T") || at(10, "t") || at(10, " "), let h = num(11, 2), at(13, ":"), let mi = num(14, 2),
            at(16, ":"), let se = num(17, 2),
            (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, se < 61
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if at(i, ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 6 { micros = micros * 10 + Int64(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offset: Int64 = 0
        if at(i, "Z") || at(i, "z") {
            i += 1
        } else if at(i, "+") || at(i, "-") {
            let sign: Int64 = at(i, "-") ? -1 : 1
            guard let oh = num(i + 1, 2), at(i + 3, ":"), let om = num(i + 4, 2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = days(fromCivil: y, mo, d)
        let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset
        return LogTime(microseconds: secs * 1_000_000 + micros)
    }

    /// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(fromCivil year: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month m: Int64, year y: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func append(_ v: Int64, width: Int, to out: inout [UInt8]) {
        var digits: [UInt8] = []
        var n = v
        repeat {
            digits.append(UInt8(0x30 + n % 10))
            n /= 10
        } while n > 0
        for _ in digits.count..<max(width, digits.count) { out.append(0x30) }
        out.append(contentsOf: digits.reversed())
    }
}
