/// Infers the year of year-less syslog timestamps (`Nov 26 16:21:54`) for one file or stream.
///
/// Make one per file, with the file's modification time (or "now" for a followed file or stdin) as the
/// reference. The first line gets the latest year that does not put it after the reference (with a day of
/// slack for clock and zone slips). Lines are in order, so afterwards a time that goes backwards by more
/// than a day means the year advanced (December → January); smaller steps back are the usual jitter of
/// several processes writing one log and keep the year.
public struct SyslogYearResolver: Sendable {
    /// The reference time in the source's local civil seconds ("as if UTC").
    private let referenceLocal: Int64
    private var year: Int?
    private var lastLocal: Int64 = .min

    static let slack: Int64 = 86_400

    /// - Parameters:
    ///   - reference: the newest time any line of the file can have (the file's mtime, or now), in UTC.
    ///   - timeZone: the source's zone; the year changes at local midnight.
    public init(reference: LogTime, timeZone: SourceTimeZone) {
        self.referenceLocal = LocalTimeConverter(zone: timeZone).localSeconds(utc: reference.seconds)
    }

    /// The year the next line belongs to, given its local month, day and time, updating the state.
    public mutating func resolve(month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int {
        if let y = year {
            let t = CivilTime.seconds(year: y, month: month, day: day, hour: hour, minute: minute, second: second)
            if t < lastLocal - Self.slack {
                year = y + 1
                lastLocal = CivilTime.seconds(
                    year: y + 1, month: month, day: day, hour: hour, minute: minute, second: second)
                return y + 1
            }
            if t > lastLocal + 183 * 86_400 {
                // A jump forwards by half a year or more (January, then a December line): a late line of the
                // previous year. Keep the state.
                return y - 1
            }
            lastLocal = max(lastLocal, t)
            return y
        }
        var y = CivilTime.date(days: Int(floorDiv(referenceLocal, 86_400))).year
        // Feb 29 does not exist in every year: step back to one where the date is valid.
        while !CivilTime.isValid(year: y, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
            || CivilTime.seconds(year: y, month: month, day: day, hour: hour, minute: minute, second: second)
                > referenceLocal + Self.slack
        {
            y -= 1
            if y < 1970 { break }
        }
        year = y
        lastLocal = CivilTime.seconds(year: y, month: month, day: day, hour: hour, minute: minute, second: second)
        return y
    }
}

@inlinable
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    a >= 0 ? a / b : (a - b + 1) / b
}
