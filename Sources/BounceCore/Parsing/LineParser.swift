/// How a ``LineParser`` reads the lines of one source.
public struct LineParserOptions: Sendable, Hashable {
    /// The envelope format; `.auto` detects it per line.
    public var envelope: EnvelopeFormat
    /// The zone of local times that carry no offset (classic syslog, Exim without `+tz`).
    public var timeZone: SourceTimeZone
    /// The newest time a year-less (classic syslog) line of this source can have: the file's mtime, or
    /// now for a followed file or stdin. Nil leaves year-less lines without a time.
    public var referenceTime: LogTime?
    /// False: a Postfix `status=sent` line that names no new queue id (`queued as`, a content filter's
    /// re-queue) keeps only what ``MessageTracker`` reads of a delivery (queue id, recipients, agent,
    /// status): its relay, remote host, DSN and reply are left nil and empty instead of being made into
    /// Strings. Nearly every message of a log has one such line, and those three or four Strings were
    /// made and freed for nothing by a backfill, whose lines go to the tracker only. True (the default)
    /// for every reader that shows or keeps the fields (`parse`, follow mode, the journal).
    public var sentDetail: Bool

    public init(
        envelope: EnvelopeFormat = .auto, timeZone: SourceTimeZone = .utc, referenceTime: LogTime? = nil,
        sentDetail: Bool = true
    ) {
        self.envelope = envelope
        self.timeZone = timeZone
        self.referenceTime = referenceTime
        self.sentDetail = sentDetail
    }
}

/// Turns Postfix and Exim log lines into ``ParsedLine`` values.
///
/// One parser per source (file, stream): it carries the source's year inference and zone cache, so lines
/// must be given in file order. It never traps on any input: invalid UTF-8 becomes U+FFFD in fields,
/// unrecognised lines are ``LogRecord/other``. Scanning works on the bytes; Strings are made only for
/// the fields of recognised records.
public struct LineParser: Sendable {
    public let options: LineParserOptions
    private var converter: LocalTimeConverter
    private var years: SyslogYearResolver?
    /// The envelope Strings of recent lines: a log names one host and a handful of programs, and making
    /// the same three Strings again for every line was a tenth of parsing.
    private var envelopeStrings = EnvelopeStrings()

    public init(options: LineParserOptions = LineParserOptions()) {
        self.options = options
        self.converter = LocalTimeConverter(zone: options.timeZone)
        self.years = options.referenceTime.map { SyslogYearResolver(reference: $0, timeZone: options.timeZone) }
    }

    /// Parses one line (without or with its trailing newline).
    public mutating func parse(_ line: UnsafeRawBufferPointer) -> ParsedLine {
        guard let base = line.baseAddress, line.count > 0 else {
            return ParsedLine(envelope: LogEnvelope(), record: .other)
        }
        let s = ByteSpan(base: base.assumingMemoryBound(to: UInt8.self), count: line.count)
        let end = s.trimEnd(0, s.count)
        let e = EnvelopeScanner.scan(s, end, format: options.envelope)
        let time = e.hasTime ? resolveTime(e) : nil
        let d = Self.dispatch(
            s, end, e, program: e.hasProgram ? Self.programClass(s, e.programStart, e.programEnd) : .none)
        guard d.kind != .other else { return ParsedLine(envelope: LogEnvelope(time: time), record: .other) }
        var env = LogEnvelope(time: time, pid: e.pid)
        if e.hostStart >= 0 { env.host = envelopeStrings.host(s, e.hostStart, e.hostEnd) }
        var agent: String?
        if e.hasProgram {
            (env.program, agent) = envelopeStrings.program(s, e.programStart, e.programEnd)
        }
        return Self.materialize(s, end, d, envelope: env, agent: agent, sentDetail: options.sentDetail)
    }

    /// Parses one line given as a String (tests, the `classify` command).
    public mutating func parse(_ line: String) -> ParsedLine {
        var copy = line
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses a bare message whose envelope came from elsewhere (the journal's `SYSLOG_IDENTIFIER`, `_PID`,
    /// `__REALTIME_TIMESTAMP`, `_HOSTNAME`). With no program, the MTA is recognised from the message itself.
    public mutating func parseMessage(
        _ message: UnsafeRawBufferPointer, program: String?, pid: Int? = nil, time: LogTime? = nil, host: String? = nil
    ) -> ParsedLine {
        let env = LogEnvelope(time: time, host: host, program: program, pid: pid)
        guard let base = message.baseAddress, message.count > 0 else {
            return ParsedLine(envelope: env, record: .other)
        }
        let s = ByteSpan(base: base.assumingMemoryBound(to: UInt8.self), count: message.count)
        let end = s.trimEnd(0, s.count)
        let d = Self.dispatch(s, end, EnvelopeScan(), program: program.map(Self.programClass) ?? .none)
        guard d.kind != .other else { return ParsedLine(envelope: env, record: .other) }
        return Self.materialize(
            s, end, d, envelope: env, agent: program.flatMap(Self.agent(of:)), sentDetail: options.sentDetail)
    }

    /// The kind of a line, without materialising anything: the allocation-free path for counting.
    /// Does not advance year inference.
    public func kind(of line: UnsafeRawBufferPointer) -> RecordKind {
        Self.kind(of: line, envelope: options.envelope)
    }

    /// ``kind(of:)`` without a parser value: nothing to copy or retain per call in a tight counting loop.
    public static func kind(of line: UnsafeRawBufferPointer, envelope: EnvelopeFormat) -> RecordKind {
        guard let base = line.baseAddress, line.count > 0 else { return .other }
        let s = ByteSpan(base: base.assumingMemoryBound(to: UInt8.self), count: line.count)
        let end = s.trimEnd(0, s.count)
        let e = EnvelopeScanner.scan(s, end, format: envelope)
        return dispatch(s, end, e, program: e.hasProgram ? programClass(s, e.programStart, e.programEnd) : .none).kind
    }

    // MARK: - Internals

    enum ProgramClass {
        case none, postfix, exim, foreign
    }

    enum Dispatch {
        case postfix(PostfixScanner.Scan)
        case exim(EximScanner.Scan)
        case other

        var kind: RecordKind {
            switch self {
            case .postfix(let p): p.kind
            case .exim(let x): x.kind
            case .other: .other
            }
        }
    }

    static func programClass(_ s: ByteSpan, _ a: Int, _ b: Int) -> ProgramClass {
        if s.has("postfix", at: a, b), b - a == 7 || s[a + 7] == 0x2F || s[a + 7] == 0x2D { return .postfix }
        if s.has("exim", at: a, b) { return .exim }
        return .foreign
    }

    static func programClass(_ p: String) -> ProgramClass {
        var copy = p
        return copy.withUTF8 { u in
            guard let base = u.baseAddress else { return .none }
            return programClass(ByteSpan(base: base, count: u.count), 0, u.count)
        }
    }

    /// ``agent(of:)`` on the line's bytes, without looking at the program's String again.
    static func agent(_ s: ByteSpan, _ a: Int, _ b: Int) -> String? {
        guard s.has("postfix", at: a, b), let slash = s.find(0x2F, a, b), slash + 1 < b else { return nil }
        return s.string(slash + 1, b)
    }

    /// The Postfix delivery agent of a program name: what follows the first `/` (`postfix/relay/smtp` → `relay/smtp`).
    static func agent(of program: String) -> String? {
        // On the UTF-8 view: `firstIndex(of: Character)` walks grapheme clusters and was 7% of a backfill.
        let u = program.utf8
        guard program.hasPrefix("postfix"), let slash = u.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let a = u[u.index(after: slash)...]
        return a.isEmpty ? nil : String(Substring(a))
    }

    static func dispatch(_ s: ByteSpan, _ end: Int, _ e: EnvelopeScan, program: ProgramClass) -> Dispatch {
        var m = e.messageStart
        guard m < end else { return .other }
        if e.format == .exim && !e.hasProgram {
            return EximScanner.scan(s, m, end, structural: false).map(Dispatch.exim) ?? .other
        }
        switch program {
        case .postfix:
            return PostfixScanner.scan(s, m, end, structural: false).map(Dispatch.postfix) ?? .other
        case .exim:
            // Exim logging to syslog may still put its own timestamp (and pid) first.
            if let x = EnvelopeScanner.exim(ByteSpan(base: s.base + m, count: end - m), end - m) {
                m += x.messageStart
            }
            return EximScanner.scan(s, m, end, structural: false).map(Dispatch.exim) ?? .other
        case .foreign:
            return .other
        case .none:
            if let p = PostfixScanner.scan(s, m, end, structural: true) { return .postfix(p) }
            if let x = EximScanner.scan(s, m, end, structural: true) { return .exim(x) }
            return .other
        }
    }

    static func materialize(
        _ s: ByteSpan, _ end: Int, _ d: Dispatch, envelope: LogEnvelope, agent: String?, sentDetail: Bool = true
    ) -> ParsedLine {
        switch d {
        case .postfix(let p):
            return ParsedLine(
                envelope: envelope, record: PostfixScanner.record(p, s, end, agent: agent, sentDetail: sentDetail))
        case .exim(let x):
            let (record, extra) = EximScanner.record(x, s, end)
            return ParsedLine(envelope: envelope, record: record, extraHeaders: extra)
        case .other:
            return ParsedLine(envelope: envelope, record: .other)
        }
    }

    private mutating func resolveTime(_ e: EnvelopeScan) -> LogTime? {
        var year = e.year
        if year == 0 {
            guard years != nil else { return nil }
            year = years!.resolve(month: e.month, day: e.day, hour: e.hour, minute: e.minute, second: e.second)
        }
        guard
            CivilTime.isValid(year: year, month: e.month, day: e.day, hour: e.hour, minute: e.minute, second: e.second)
        else { return nil }
        let local = CivilTime.seconds(
            year: year, month: e.month, day: e.day, hour: e.hour, minute: e.minute, second: e.second)
        let utc = e.offset.map { local - Int64($0) } ?? converter.utcSeconds(local: local)
        return LogTime(seconds: utc, micros: Int64(e.micros))
    }
}

/// The last host and the recent programs a parser made Strings of, with the bytes they were made from:
/// the same bytes give the same String back (a copy of the value, no decoding, no allocation).
struct EnvelopeStrings {
    private var hostBytes: [UInt8] = []
    private var hostString = ""
    private var programs: [(bytes: [UInt8], program: String, agent: String?)] = []
    private static let programLimit = 16

    /// ``ByteSpan/string(_:_:)`` of the host `[a, b)`.
    mutating func host(_ s: ByteSpan, _ a: Int, _ b: Int) -> String {
        if Self.same(hostBytes, s, a, b) { return hostString }
        hostBytes = Array(UnsafeBufferPointer(start: s.base + a, count: b - a))
        hostString = s.string(a, b)
        return hostString
    }

    /// The program `[a, b)` as a String and its delivery agent (``LineParser/agent(_:_:_:)``).
    mutating func program(_ s: ByteSpan, _ a: Int, _ b: Int) -> (String, String?) {
        for p in programs where Self.same(p.bytes, s, a, b) { return (p.program, p.agent) }
        let made = (
            bytes: Array(UnsafeBufferPointer(start: s.base + a, count: b - a)), program: s.string(a, b),
            agent: LineParser.agent(s, a, b)
        )
        // A log with many program names (each pid-less tool its own): the oldest goes.
        if programs.count >= Self.programLimit { programs.removeFirst() }
        programs.append(made)
        return (made.program, made.agent)
    }

    private static func same(_ bytes: [UInt8], _ s: ByteSpan, _ a: Int, _ b: Int) -> Bool {
        guard bytes.count == b - a else { return false }
        return bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return true }
            return memcmp(base, s.base + a, b - a) == 0
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
