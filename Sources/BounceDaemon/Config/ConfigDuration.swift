/// A span of time written in the configuration file as a number and a unit: `"500ms"`, `"10s"`, `"5m"`,
/// `"2h"`, `"30d"`, `"1w"`. Units may be combined (`"1h30m"`). A bare `0` (or `"0"`) means zero.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in milliseconds.
    public var milliseconds: Int64

    /// Creates a duration of `milliseconds`.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates a duration of whole `seconds`.
    public static func seconds(_ seconds: Int64) -> ConfigDuration { ConfigDuration(milliseconds: seconds * 1000) }
    /// Creates a duration of whole `minutes`.
    public static func minutes(_ minutes: Int64) -> ConfigDuration { .seconds(minutes * 60) }
    /// Creates a duration of whole `hours`.
    public static func hours(_ hours: Int64) -> ConfigDuration { .seconds(hours * 3600) }
    /// Creates a duration of whole `days`.
    public static func days(_ days: Int64) -> ConfigDuration { .seconds(days * 86_400) }

    /// The length in seconds, with a fraction.
    public var seconds: Double { Double(milliseconds) / 1000 }
    /// The length as a Swift `Duration`.
    public var duration: Duration { .milliseconds(milliseconds) }

    /// What the parser accepts, for error messages.
    public static let syntaxHelp =
        #"a number followed by a unit ms, s, m, h, d or w, e.g. "10s", "5m", "30d" or "1h30m""#

    private static let units: [(String, Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Parses the textual form; nil when it is not a duration.
    public init?(parsing text: String) {
        let s = text.trimmingWhitespace()
        if s == "0" { self.init(milliseconds: 0); return }
        var total: Int64 = 0
        var index = s.startIndex
        var sawComponent = false
        while index < s.endIndex {
            var digits = ""
            while index < s.endIndex, s[index].isASCII, s[index].isNumber {
                digits.append(s[index]); index = s.index(after: index)
            }
            var unit = ""
            while index < s.endIndex, s[index].isASCII, s[index].isLetter {
                unit.append(s[index]); index = s.index(after: index)
            }
            guard !digits.isEmpty, let value = Int64(digits),
                let factor = Self.units.first(where: { $0.0 == unit })?.1
            else { return nil }
            let (product, overflow1) = value.multipliedReportingOverflow(by: factor)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
            sawComponent = true
        }
        guard sawComponent else { return nil }
        self.init(milliseconds: total)
    }

    /// The shortest textual form that parses back to the same value.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds
        var out = ""
        for (unit, factor) in Self.units.reversed() where rest >= factor {
            // Weeks are only used when the value is a whole number of weeks, since "30d" reads better than "4w2d".
            if unit == "w", rest % factor != 0 { continue }
            out += "\(rest / factor)\(unit)"
            rest %= factor
        }
        return out
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
