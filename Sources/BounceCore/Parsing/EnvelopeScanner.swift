/// The envelope formats bouncetail reads.
public enum EnvelopeFormat: String, Sendable, Hashable, CaseIterable {
    /// Detect per line: classic syslog, RFC 3339 syslog, Exim's own timestamp, else a bare message.
    case auto
    /// `Mon DD HH:MM:SS host prog[pid]: msg` (year-less; see ``SyslogYearResolver``).
    case syslog
    /// `2026-11-26T16:21:54.123456+01:00 host prog[pid]: msg`.
    case rfc3339
    /// Exim's mainlog: `2026-11-26 16:21:54[.ddd][ +0200][ [pid]] msg`.
    case exim
    /// The message only, as journald stores it; program, pid and time come from elsewhere.
    case bare
}

/// Where the parts of a line's envelope are, and the time fields it spelled (no allocation).
struct EnvelopeScan {
    var format: EnvelopeFormat = .bare
    var hostStart = -1, hostEnd = -1
    var programStart = -1, programEnd = -1
    var pid: Int?
    var messageStart = 0
    var hasTime = false
    /// 0 when the line gave no year (classic syslog).
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0
    /// The zone the line stated itself, seconds east of UTC.
    var offset: Int?

    var hasProgram: Bool { programStart >= 0 }
}

enum EnvelopeScanner {
    /// Scans the envelope of `s[0..<end)` in the given format (or detecting it).
    static func scan(_ s: ByteSpan, _ end: Int, format: EnvelopeFormat) -> EnvelopeScan {
        switch format {
        case .bare:
            return EnvelopeScan()
        case .syslog:
            return classic(s, end) ?? EnvelopeScan()
        case .rfc3339:
            return rfc3339(s, end) ?? EnvelopeScan()
        case .exim:
            return exim(s, end) ?? EnvelopeScan()
        case .auto:
            guard end > 0 else { return EnvelopeScan() }
            let c = s[0]
            if c.isASCIIAlpha, let e = classic(s, end) { return e }
            if c.isASCIIDigit, end >= 19, s[4] == 0x2D {
                if s[10] == 0x54 || s[10] == 0x74, let e = rfc3339(s, end) { return e }
                if s[10] == 0x20, let e = exim(s, end) { return e }
            }
            return EnvelopeScan()
        }
    }

    /// `YYYY-MM-DD` at `i`, then `sep`, then `HH:MM:SS` — writes the fields and returns the index after them.
    private static func dateTime(_ s: ByteSpan, _ end: Int, _ e: inout EnvelopeScan, sep: (UInt8) -> Bool) -> Int? {
        guard end >= 19,
            let y = s.int(0, 4), s[4] == 0x2D, let mo = s.int(5, 7), s[7] == 0x2D, let d = s.int(8, 10),
            sep(s[10]),
            let h = s.int(11, 13), s[13] == 0x3A, let mi = s.int(14, 16), s[16] == 0x3A, let sec = s.int(17, 19),
            CivilTime.isValid(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
        else { return nil }
        e.year = y
        e.month = mo
        e.day = d
        e.hour = h
        e.minute = mi
        e.second = min(sec, 59)
        e.hasTime = true
        var i = 19
        if i < end && (s[i] == 0x2E || s[i] == 0x2C) {
            let n = s.digitRun(i + 1, end)
            guard n > 0 else { return nil }
            // Keep microseconds: pad or cut the fraction to six digits.
            var micros = 0
            for k in 0..<6 { micros = micros * 10 + (k < n ? Int(s[i + 1 + k] &- 0x30) : 0) }
            e.micros = micros
            i += 1 + n
        }
        return i
    }

    /// `±HH:MM`, `±HHMM` or `Z` at `i`; returns the offset in seconds and the index after it.
    private static func zone(_ s: ByteSpan, _ i: Int, _ end: Int, colon: Bool?) -> (Int, Int)? {
        guard i < end else { return nil }
        if s[i] == 0x5A || s[i] == 0x7A { return (0, i + 1) }
        guard s[i] == 0x2B || s[i] == 0x2D, let h = s.int(i + 1, min(i + 3, end)), i + 3 <= end else { return nil }
        var j = i + 3
        if j < end && s[j] == 0x3A {
            guard colon != false else { return nil }
            j += 1
        } else if colon == true {
            return nil
        }
        guard j + 2 <= end, let m = s.int(j, j + 2), h < 24, m < 60 else { return nil }
        let secs = h * 3600 + m * 60
        return (s[i] == 0x2D ? -secs : secs, j + 2)
    }

    /// Classic syslog: `Mon DD HH:MM:SS host prog[pid]: msg`, day space-padded, zero-padded or unpadded.
    static func classic(_ s: ByteSpan, _ end: Int) -> EnvelopeScan? {
        guard end >= 15, let month = CivilTime.month(s, at: 0), s[3] == 0x20 else { return nil }
        var i = 4
        if s[i] == 0x20 { i += 1 }
        let n = s.digitRun(i, end)
        guard n == 1 || n == 2, let day = s.int(i, i + n), day >= 1, day <= 31 else { return nil }
        i += n
        guard i + 9 <= end, s[i] == 0x20,
            let h = s.int(i + 1, i + 3), s[i + 3] == 0x3A, let mi = s.int(i + 4, i + 6), s[i + 6] == 0x3A,
            let sec = s.int(i + 7, i + 9), h < 24, mi < 60, sec <= 60
        else { return nil }
        var e = EnvelopeScan()
        e.format = .syslog
        e.month = month
        e.day = day
        e.hour = h
        e.minute = mi
        e.second = min(sec, 59)
        e.hasTime = true
        i += 9
        if i < end && s[i] == 0x2E {
            let k = s.digitRun(i + 1, end)
            var micros = 0
            for q in 0..<6 { micros = micros * 10 + (q < k ? Int(s[i + 1 + q] &- 0x30) : 0) }
            e.micros = micros
            i += 1 + k
        }
        hostAndProgram(s, i, end, &e)
        return e
    }

    /// RFC 3339 syslog: `2026-11-26T16:21:54.123456+01:00 host prog[pid]: msg`.
    static func rfc3339(_ s: ByteSpan, _ end: Int) -> EnvelopeScan? {
        var e = EnvelopeScan()
        guard var i = dateTime(s, end, &e, sep: { $0 == 0x54 || $0 == 0x74 }),
            let (off, j) = zone(s, i, end, colon: nil)
        else { return nil }
        e.offset = off
        i = j
        e.format = .rfc3339
        hostAndProgram(s, i, end, &e)
        return e
    }

    /// Exim: `2026-11-26 16:21:54[.ddd][ +0200][ [pid]] msg`. A syslog header after an ISO time
    /// (`2019-10-22 03:39:17 mx1 exim[29786]: msg`) is recognised too.
    static func exim(_ s: ByteSpan, _ end: Int) -> EnvelopeScan? {
        var e = EnvelopeScan()
        guard var i = dateTime(s, end, &e, sep: { $0 == 0x20 }) else { return nil }
        e.format = .exim
        if i + 1 < end, s[i] == 0x20, let (off, j) = zone(s, i + 1, end, colon: false), j == end || s[j] == 0x20 {
            e.offset = off
            i = j
        }
        // `host prog[pid]: ` right after the time: a syslog line with an ISO timestamp.
        if i < end, s[i] == 0x20 {
            let hs = i + 1
            let he = s.wordEnd(hs, end)
            if he < end, hs < he, let p = program(s, he + 1, end, requirePid: true) {
                e.format = .rfc3339
                e.hostStart = hs
                e.hostEnd = he
                e.programStart = p.start
                e.programEnd = p.end
                e.pid = p.pid
                e.messageStart = p.next
                return e
            }
        }
        if i + 1 < end, s[i] == 0x20, s[i + 1] == 0x5B, let close = s.find(0x5D, i + 2, min(end, i + 14)),
            let pid = s.int(i + 2, close)
        {
            e.pid = pid
            i = close + 1
        }
        e.messageStart = i < end ? s.skipSpaces(i, end) : end
        return e
    }

    /// After the time at `i` (a space expected): `host prog[pid]: msg`, or `host msg` when there is no program.
    private static func hostAndProgram(_ s: ByteSpan, _ i0: Int, _ end: Int, _ e: inout EnvelopeScan) {
        var i = i0
        guard i < end, s[i] == 0x20 else {
            e.messageStart = min(i, end)
            return
        }
        i += 1
        let he = s.wordEnd(i, end)
        e.hostStart = i
        e.hostEnd = he
        guard he < end else {
            e.messageStart = end
            return
        }
        if let p = program(s, he + 1, end, requirePid: false) {
            e.programStart = p.start
            e.programEnd = p.end
            e.pid = p.pid
            e.messageStart = p.next
        } else {
            e.messageStart = he + 1
        }
    }

    /// `prog[pid]: ` or `prog: ` at `i`: the program's range, pid and where the message starts.
    static func program(_ s: ByteSpan, _ i: Int, _ end: Int, requirePid: Bool)
        -> (start: Int, end: Int, pid: Int?, next: Int)?
    {
        var j = i
        while j < end {
            let c = s[j]
            if c == 0x5B || c == 0x3A || c == 0x20 { break }
            guard c.isASCIIAlnum || c == 0x2F || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x40 else { return nil }
            j += 1
        }
        guard j > i, j < end else { return nil }
        let pe = j
        var pid: Int?
        if s[j] == 0x5B {
            guard let close = s.find(0x5D, j + 1, min(end, j + 24)), let p = s.int(j + 1, close) else { return nil }
            pid = p
            j = close + 1
        } else if requirePid {
            return nil
        }
        guard j < end, s[j] == 0x3A, j + 1 == end || s[j + 1] == 0x20 else { return nil }
        return (i, pe, pid, min(j + 2, end))
    }
}
