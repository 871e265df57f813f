import Foundation

/// The time zone a log source writes its local times in.
///
/// Postfix and Exim write local time without a zone; bouncetail needs UTC. Each source (file, journal)
/// has its own zone, configured or taken from the machine.
public enum SourceTimeZone: Sendable, Hashable {
    /// UTC.
    case utc
    /// A fixed offset east of UTC, in seconds (`+0200` is 7200).
    case fixed(seconds: Int)
    /// A named zone with daylight-saving rules, e.g. `Europe/Berlin`.
    case named(TimeZone)

    /// A zone from a configuration string: `UTC`, `+02:00`, `-0530`, or an IANA name.
    /// Returns nil when the string is none of these.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        if t == "UTC" || t == "utc" || t == "Z" || t == "GMT" {
            self = .utc
            return
        }
        if let first = t.first, first == "+" || first == "-" {
            let digits = t.dropFirst().filter { $0 != ":" }
            guard digits.count == 4, let v = Int(digits), v % 100 < 60 else { return nil }
            let secs = (v / 100) * 3600 + (v % 100) * 60
            self = .fixed(seconds: first == "-" ? -secs : secs)
            return
        }
        guard let zone = TimeZone(identifier: t) else { return nil }
        self = .named(zone)
    }
}

/// Converts local civil times of one source to UTC, remembering the offset of the last local hour.
///
/// Log lines arrive in order, so consecutive lines almost always fall in the same local hour: one cached
/// (hour → offset) pair avoids a Foundation call (and its allocation) per line. Offsets change on hour
/// boundaries in every zone bouncetail is likely to meet; a zone that shifts at :30 is off by at most
/// the minutes between the shift and the next hour, only on the day of the shift.
struct LocalTimeConverter: Sendable {
    let zone: SourceTimeZone
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int64 = 0

    init(zone: SourceTimeZone) { self.zone = zone }

    /// UTC seconds of a local time given as "seconds since the epoch as if local were UTC".
    mutating func utcSeconds(local: Int64) -> Int64 {
        switch zone {
        case .utc: return local
        case .fixed(let s): return local - Int64(s)
        case .named(let tz):
            let hour = local >= 0 ? local / 3600 : (local - 3599) / 3600
            if hour != cachedHour {
                // The offset at the instant itself: guess with the offset at `local` read as UTC, then
                // correct once (handles zones far from UTC around a transition).
                let guess = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
                let offset = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - guess))))
                cachedHour = hour
                cachedOffset = offset
            }
            return local - cachedOffset
        }
    }

    /// The local civil seconds ("as if UTC") of a UTC instant, used for year inference.
    func localSeconds(utc: Int64) -> Int64 {
        switch zone {
        case .utc: return utc
        case .fixed(let s): return utc + Int64(s)
        case .named(let tz): return utc + Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
        }
    }
}
