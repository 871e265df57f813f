import BounceCore

/// Turns journal entries into ``ParsedLine`` values, the same records file lines become.
///
/// The envelope comes from the entry, not from text: time from `__REALTIME_TIMESTAMP`, program
/// from `SYSLOG_IDENTIFIER`, pid from `_PID`, and host from `_HOSTNAME` (trusted: journald, or
/// systemd-journal-remote for another machine's entries, sets it), which scopes the queue id: a
/// journal-remote directory holds several machines' journals. The tracker's ``HostIdentity`` turns it
/// into the identity host, so that `mx1.example.org` here and `mx1` in `mail.log` agree. `MESSAGE` goes to
/// the line parser's bare-message entry point.
///
/// Exim logging to syslog writes its own timestamp (`syslog_timestamp`, the default) and, with
/// `syslog_pid`, its pid at the start of MESSAGE. Such a message is parsed as an Exim mainlog
/// line, then given the journal's envelope; with `syslog_timestamp = false` it is a bare message.
///
/// One per journal source: like ``LineParser`` it carries per-source state, so feed entries in
/// journal order.
public struct JournalLineParser: Sendable {
    /// The host of an entry without `_HOSTNAME` (journald always writes one); nil leaves it unset, and the
    /// tracker then uses `general.host_name`.
    public let host: String?
    private var bare: LineParser
    private var eximStamped: LineParser

    /// - Parameters:
    ///   - host: the host of an entry that has no `_HOSTNAME`.
    ///   - timeZone: the zone of Exim's own timestamps (only used when Exim is parsed from its text,
    ///     which does not happen here: the journal time wins).
    public init(host: String?, timeZone: SourceTimeZone = .utc) {
        self.host = host
        bare = LineParser(options: LineParserOptions(envelope: .bare, timeZone: timeZone))
        eximStamped = LineParser(options: LineParserOptions(envelope: .exim, timeZone: timeZone))
    }

    /// The entry as a parsed line.
    public mutating func parse(_ entry: JournalEntry) -> ParsedLine {
        entry.message.withUnsafeBytes { message in
            if Self.isEximIdentifier(entry.identifier), Self.startsWithEximTimestamp(message) {
                var line = eximStamped.parse(message)
                line.envelope = LogEnvelope(
                    time: entry.realtime, host: entry.hostname ?? host, program: entry.identifier,
                    pid: entry.pid ?? line.envelope.pid)
                return line
            }
            return bare.parseMessage(
                message, program: entry.identifier, pid: entry.pid, time: entry.realtime,
                host: entry.hostname ?? host)
        }
    }

    private static func isEximIdentifier(_ identifier: String?) -> Bool {
        identifier?.utf8.starts(with: "exim".utf8) ?? false
    }

    /// `YYYY-MM-DD HH:MM:SS` at the start (the envelope scanner checks the rest).
    static func startsWithEximTimestamp(_ message: UnsafeRawBufferPointer) -> Bool {
        guard message.count >= 20 else { return false }
        func digit(_ i: Int) -> Bool { message[i] >= UInt8(ascii: "0") && message[i] <= UInt8(ascii: "9") }
        return digit(0) && digit(1) && digit(2) && digit(3) && message[4] == UInt8(ascii: "-")
            && message[10] == UInt8(ascii: " ") && message[13] == UInt8(ascii: ":")
    }
}
