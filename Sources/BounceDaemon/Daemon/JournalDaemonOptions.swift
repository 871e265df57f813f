import BounceSources

/// Turns `[sources.journal]` into the journal source's options.
public enum JournalDaemonOptions {
    /// syslog facility names → numbers (only those an MTA uses are worth naming).
    static let facilityNumbers: [String: Int] = [
        "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "local0": 16, "local1": 17,
        "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
    ]

    /// The options; the trust check is `trust` (resolved from `c.trust` when not given), always on.
    public static func make(
        _ c: JournalSourceConfig, start: JournalStartPoint, mode: JournalMode, trust: JournalTrust? = nil
    ) -> JournalOptions {
        let location: JournalLocation =
            if let dir = c.directory { .directory(dir) } else if !c.files.isEmpty { .files(c.files) } else { .local }
        let selection = JournalSelection(
            units: c.units, facilities: c.facilities.compactMap { facilityNumbers[$0.lowercased()] ?? Int($0) },
            identifiers: c.identifiers)
        return JournalOptions(
            location: location, selection: selection, trust: trust ?? JournalTrustResolution(c.trust).trust,
            start: start, mode: mode,
            resumeOverlapMicroseconds: c.cursorOverlap.milliseconds * 1000)
    }
}
