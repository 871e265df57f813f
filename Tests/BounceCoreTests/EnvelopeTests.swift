import BounceCore
import Foundation
import Testing

@Suite("Envelope parsing")
struct EnvelopeTests {
    @Test("classic syslog: space-padded, zero-padded and unpadded day")
    func classicDays() {
        for (line, day) in [
            ("Nov  6 09:05:01 mx1 postfix/qmgr[311]: 3A1F0C2B9E: removed", 6),
            ("Nov 06 09:05:01 mx1 postfix/qmgr[311]: 3A1F0C2B9E: removed", 6),
            ("Nov 6 09:05:01 mx1 postfix/qmgr[311]: 3A1F0C2B9E: removed", 6),
            ("Nov 16 09:05:01 mx1 postfix/qmgr[311]: 3A1F0C2B9E: removed", 16),
        ] {
            let p = parseLine(line)
            #expect(p.envelope.time == utc(2026, 11, day, 9, 5, 1), "\(line)")
            #expect(p.envelope.host == "mx1")
            #expect(p.envelope.program == "postfix/qmgr")
            #expect(p.envelope.pid == 311)
            #expect(p.record == .removed(mta: .postfix, queueID: "3A1F0C2B9E"))
        }
    }

    @Test("classic syslog without a reference time has no time but is still parsed")
    func classicNoReference() {
        let p = parseLine("Nov 26 10:00:00 mx1 postfix/qmgr[311]: 3A1F0C2B9E: removed", options: LineParserOptions())
        #expect(p.envelope.time == nil)
        #expect(p.record.kind == .removed)
    }

    @Test("RFC 3339 syslog with fraction and offset")
    func rfc3339() {
        let p = parseLine("2026-11-26T17:21:54.123456+01:00 mx1 postfix/smtp[901]: 3A1F0C2B9E: removed")
        #expect(p.envelope.time == LogTime(microseconds: utc(2026, 11, 26, 16, 21, 54).microseconds + 123_456))
        #expect(p.envelope.host == "mx1")
        #expect(p.envelope.program == "postfix/smtp")
        #expect(p.envelope.pid == 901)
        let z = parseLine("2026-11-26T16:21:54Z mx1 postfix/qmgr[1]: 3A1F0C2B9E: removed")
        #expect(z.envelope.time == utc(2026, 11, 26, 16, 21, 54))
        let ms = parseLine("2026-11-26T16:21:54.5-05:00 mx1 postfix/qmgr[1]: 3A1F0C2B9E: removed")
        #expect(ms.envelope.time == LogTime(microseconds: utc(2026, 11, 26, 21, 21, 54).microseconds + 500_000))
    }

    @Test("Exim timestamps: plain, milliseconds, zone, pid")
    func eximEnvelope() {
        let plain = parseLine("2026-11-26 16:21:55 1vQzKp-000Ab3-7C Completed")
        #expect(plain.envelope.time == utc(2026, 11, 26, 16, 21, 55))
        #expect(plain.record == .removed(mta: .exim, queueID: "1vQzKp-000Ab3-7C"))
        let full = parseLine("2026-11-26 18:21:55.250 +0200 [4711] 1vQzKp-000Ab3-7C Completed")
        #expect(full.envelope.time == LogTime(microseconds: utc(2026, 11, 26, 16, 21, 55).microseconds + 250_000))
        #expect(full.envelope.pid == 4711)
        #expect(full.record.kind == .removed)
        let pidOnly = parseLine("2026-11-26 16:21:55 [4711] 1vQzKp-000Ab3-7C Completed")
        #expect(pidOnly.envelope.pid == 4711)
        #expect(pidOnly.record.kind == .removed)
    }

    @Test("a source time zone applies to zone-less times; a named zone follows daylight saving")
    func zones() {
        let fixed = LineParserOptions(timeZone: .fixed(seconds: 3600))
        #expect(
            parseLine("2026-11-26 17:00:00 1vQzKp-000Ab3-7C Completed", options: fixed).envelope.time
                == utc(2026, 11, 26, 16))
        let berlin = LineParserOptions(timeZone: .named(TimeZone(identifier: "Europe/Berlin")!))
        var p = LineParser(options: berlin)
        // Summer (UTC+2), then winter (UTC+1) in one stream: the per-hour cache must not reuse the offset.
        #expect(p.parse("2026-07-01 12:00:00 1vQzKp-000Ab3-7C Completed").envelope.time == utc(2026, 7, 1, 10))
        #expect(p.parse("2026-12-01 12:00:00 1vQzKp-000Ab3-7C Completed").envelope.time == utc(2026, 12, 1, 11))
        #expect(SourceTimeZone(parsing: "+02:00") == .fixed(seconds: 7200))
        #expect(SourceTimeZone(parsing: "-0530") == .fixed(seconds: -19800))
        #expect(SourceTimeZone(parsing: "UTC") == .utc)
        #expect(SourceTimeZone(parsing: "Not/AZone") == nil)
    }

    @Test("bare messages take program, pid, time and host from the journal")
    func bareMessage() {
        var p = LineParser(options: LineParserOptions(envelope: .bare))
        let msg =
            "3A1F0C2B9E: to=<carol@example.org>, relay=mx.example.org[192.0.2.7]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)"
        let t = utc(2026, 11, 26, 12)
        let parsed = Array(msg.utf8).withUnsafeBytes {
            p.parseMessage($0, program: "postfix/smtp", pid: 77, time: t, host: "mx1")
        }
        #expect(parsed.envelope == LogEnvelope(time: t, host: "mx1", program: "postfix/smtp", pid: 77))
        guard case .delivery(let a) = parsed.record else {
            Issue.record("not a delivery: \(parsed.record)")
            return
        }
        #expect(a.agent == "smtp")
        #expect(a.status == .sent)
        // Without a program, a delivery line is still recognised by its structure.
        #expect(parseLine(msg, options: LineParserOptions(envelope: .bare)).record.kind == .delivery)
        #expect(parseLine(msg).record.kind == .delivery)
    }

    @Test("journal messages of Exim and of other programs")
    func journalPrograms() {
        var p = LineParser(options: LineParserOptions(envelope: .bare))
        let exim = Array("1vQzKp-000Ab3-7C ** ann@q.example: Unrouteable address".utf8).withUnsafeBytes {
            p.parseMessage($0, program: "exim4", pid: 5, time: utc(2026, 11, 26))
        }
        #expect(exim.record.kind == .delivery)
        #expect(exim.envelope.program == "exim4")
        let other = Array("3A1F0C2B9E: removed".utf8).withUnsafeBytes { p.parseMessage($0, program: "opendkim") }
        #expect(other.record == .other)
        let empty = [UInt8]().withUnsafeBytes { p.parseMessage($0, program: "postfix/smtp") }
        #expect(empty.record == .other)
    }

    @Test("the static counting path agrees with the parser")
    func staticKind() {
        let line = "Nov 26 16:21:55 mx1 postfix/qmgr[1]: 3A1F0C2B9E: from=<a@b.example>, size=1, nrcpt=1 (queue active)"
        let k = Array(line.utf8).withUnsafeBytes { LineParser.kind(of: $0, envelope: .auto) }
        #expect(k == .queued)
        let bare = Array(line.utf8).withUnsafeBytes { LineParser.kind(of: $0, envelope: .bare) }
        #expect(bare == .other)
    }

    @Test("syslog-wrapped Exim, with and without Exim's own timestamp")
    func eximViaSyslog() {
        let a = parseLine("Nov 26 16:21:55 mx2 exim[5150]: 1vQzKp-000Ab3-7C Completed")
        #expect(a.record == .removed(mta: .exim, queueID: "1vQzKp-000Ab3-7C"))
        #expect(a.envelope.program == "exim")
        let b = parseLine("Nov 26 16:21:55 mx2 exim4[5150]: 2026-11-26 16:21:55 1vQzKp-000Ab3-7C Completed")
        #expect(b.record.kind == .removed)
        let c = parseLine("2026-11-26 16:21:55 mx2 exim[5150]: 1vQzKp-000Ab3-7C Completed")
        #expect(c.record.kind == .removed)
        #expect(c.envelope.host == "mx2")
    }

    @Test("lines of other programs are other")
    func foreignProgram() {
        #expect(parseLine("Nov 26 16:21:55 mx1 dovecot[88]: imap-login: Login: user=<x>").record == .other)
        #expect(
            parseLine("Nov 26 16:21:55 mx1 amavis[88]: (12345-01) Passed CLEAN, 3A1F0C2B9E: to=<a@b>, status=sent")
                .record == .other)
    }
}

@Suite("Year inference")
struct YearResolverTests {
    @Test("the year comes from the reference; a line after the reference belongs to the year before")
    func firstLine() {
        var r = SyslogYearResolver(reference: utc(2026, 11, 26, 12), timeZone: .utc)
        #expect(r.resolve(month: 11, day: 20, hour: 8, minute: 0, second: 0) == 2026)
        var r2 = SyslogYearResolver(reference: utc(2026, 11, 26, 12), timeZone: .utc)
        #expect(r2.resolve(month: 12, day: 30, hour: 8, minute: 0, second: 0) == 2025)
    }

    @Test("December to January rollover inside one file")
    func rollover() {
        let lines = [
            "Dec 31 23:59:58 mx1 postfix/qmgr[1]: 3A1F0C2B9E: removed",
            "Dec 31 23:59:59 mx1 postfix/qmgr[1]: 3A1F0C2B9F: removed",
            "Jan  1 00:00:00 mx1 postfix/qmgr[1]: 3A1F0C2BA0: removed",
            "Dec 31 23:59:59 mx1 postfix/qmgr[1]: 3A1F0C2BA1: removed",  // a late writer: still the old year
            "Jan  1 00:00:05 mx1 postfix/qmgr[1]: 3A1F0C2BA2: removed",
            "Jan  2 10:00:00 mx1 postfix/qmgr[1]: 3A1F0C2BA3: removed",
        ]
        var p = LineParser(options: LineParserOptions(timeZone: .utc, referenceTime: utc(2027, 1, 2, 12)))
        let times = lines.map { p.parse($0).envelope.time }
        #expect(
            times == [
                utc(2026, 12, 31, 23, 59, 58), utc(2026, 12, 31, 23, 59, 59), utc(2027, 1, 1),
                utc(2026, 12, 31, 23, 59, 59), utc(2027, 1, 1, 0, 0, 5), utc(2027, 1, 2, 10),
            ])
    }

    @Test("rollover follows the source's zone, not UTC")
    func rolloverInZone() {
        // 2027-01-01 00:30 in UTC+2 is still 2026 in UTC: the year is local.
        var p = LineParser(
            options: LineParserOptions(timeZone: .fixed(seconds: 7200), referenceTime: utc(2026, 12, 31, 23)))
        #expect(
            p.parse("Jan  1 00:30:00 mx1 postfix/qmgr[1]: 3A1F0C2B9E: removed").envelope.time
                == utc(2026, 12, 31, 22, 30))
    }

    @Test("Feb 29 picks a leap year")
    func leapDay() {
        var r = SyslogYearResolver(reference: utc(2029, 3, 10), timeZone: .utc)
        #expect(r.resolve(month: 2, day: 29, hour: 1, minute: 0, second: 0) == 2028)
    }
}
