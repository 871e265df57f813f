/// Which journal entries are MTA entries: sd-journal matches (exact, OR-ed together) narrow what
/// the library returns, then ``identifiers`` filters `SYSLOG_IDENTIFIER` in the process.
public struct JournalSelection: Sendable, Hashable {
    /// Exact `_SYSTEMD_UNIT` values, e.g. `postfix@-.service`.
    public var units: [String]
    /// `SYSLOG_FACILITY` values; 2 is `mail`.
    public var facilities: [Int]
    /// Further exact matches, each `FIELD=value`, OR-ed with the others.
    public var extraMatches: [String]
    /// `SYSLOG_IDENTIFIER` prefix patterns (see ``JournalIdentifierFilter``); empty keeps everything.
    public var identifiers: [String]

    public init(units: [String] = [], facilities: [Int] = [], extraMatches: [String] = [], identifiers: [String] = []) {
        self.units = units
        self.facilities = facilities
        self.extraMatches = extraMatches
        self.identifiers = identifiers
    }

    /// Postfix and Exim on Debian: their units or the mail facility, then Postfix (any instance) and
    /// Exim identifiers, so other mail-facility programs (dovecot, opendkim, ...) are dropped.
    public static let mail = JournalSelection(
        units: ["postfix.service", "postfix@-.service", "exim4.service"],
        facilities: [2],
        identifiers: ["postfix/", "postfix-*/", "exim"])

    /// No matches and no identifier filter: every entry.
    public static let everything = JournalSelection()

    /// The sd-journal matches (`FIELD=value`), in the order they are added; each is its own
    /// disjunction term, so an entry matching any of them is returned. Empty means no matches.
    public var matches: [String] {
        units.map { "_SYSTEMD_UNIT=\($0)" } + facilities.map { "SYSLOG_FACILITY=\($0)" } + extraMatches
    }
}
