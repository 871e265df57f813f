import BounceCore
import Testing

@Suite("Robustness")
struct RobustnessTests {
    @Test("garbage, empty lines and partial envelopes are other")
    func garbage() {
        for line in [
            "", "\n", "   ", "hello world", "Nov", "Nov 26", "Nov 26 16:21:54", "Nov 26 16:21:54 mx1",
            "Nov 26 16:21:54 mx1 postfix/smtp[", "2026-11-26", "2026-11-26 16:21", "2026-13-45 99:99:99 x",
            "2026-11-26T16:21:54", "::::", "[]: :", "Foo 26 16:21:54 mx1 postfix/smtp[1]: 3E4F5A6B7C: removed",
        ] {
            #expect(parseLine(line).record.kind == .other || parseLine(line).record.kind == .otherMTA, "\(line)")
        }
        #expect(parseLine("").record == .other)
        #expect(parseLine("hello world").record == .other)
    }

    @Test("truncated Postfix and Exim lines never trap")
    func truncations() {
        let lines = [
            "Nov 20 08:14:02 relay7 postfix/smtp[4410]: 5C0DE27A13: to=<dave@example.org>, relay=mx2.example.org[198.51.100.9]:25, delay=1.2, dsn=5.1.1, status=bounced (host mx2.example.org[198.51.100.9] said: 550-5.1.1 a 550 5.1.1 b (in reply to RCPT TO command))",
            "2026-11-20 09:30:12 1vRaBc-0003Xy-4E ** rita@i.example R=dnslookup T=remote_smtp H=mx.i.example [198.51.100.21]: SMTP error from remote mail server after RCPT TO:<rita@i.example>: 550-5.1.1 x\\n550 5.1.1 y",
            "2026-11-20 09:30:12 1vRaBc-0003Xy-4D <= news@lists.example H=(lists.example) [127.0.0.1] P=esmtp S=9012 id=a1b2c3d4@lists.example T=\"unterminated",
            "2026-11-20 09:30:12 1vRaBc-0003Xy-4D X-Listmonk-Campaign: a X-Listmonk-Subscriber: b",
            "Nov 20 08:14:02 relay7 postfix/cleanup[801]: 3E4F5A6B7C: info: header X-Listmonk-Campaign: v from localhost[127.0.0.1]; from=<a>",
        ]
        var count = 0
        for line in lines {
            let bytes = Array(line.utf8)
            for cut in 0...bytes.count {
                var p = LineParser(options: testOptions)
                let parsed = bytes[0..<cut].withUnsafeBytes { p.parse($0) }
                let k = bytes[0..<cut].withUnsafeBytes { p.kind(of: $0) }
                #expect(parsed.record.kind == k)
                count += 1
            }
        }
        #expect(count > 500)
    }

    @Test("invalid UTF-8 and NUL bytes: fields decode with replacement characters")
    func invalidUTF8() throws {
        var bytes = Array("Nov 20 08:14:02 relay7 postfix/smtp[1]: 5C0DE27A13: to=<".utf8)
        bytes += [0xFF, 0xFE, 0x00, 0x41]
        bytes += Array(
            "@example.org>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (bad \u{0} text)".utf8)
        bytes += [0xC3]
        var p = LineParser(options: testOptions)
        let parsed = bytes.withUnsafeBytes { p.parse($0) }
        guard case .delivery(let a) = parsed.record else {
            Issue.record("expected a delivery, got \(parsed.record)")
            return
        }
        #expect(a.recipient.contains("\u{FFFD}"))
        #expect(a.status == .bounced)
        var w = JSONWriter()
        parsed.writeJSON(to: &w)
        #expect(w.string.contains("\\u0000"))
        let junk: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let j = junk.withUnsafeBytes { p.parse($0) }
        #expect(j.record.kind == .other || j.record.kind == .otherMTA)
    }

    @Test("a 1 MiB line is parsed without trouble")
    func hugeLine() {
        let head =
            "Nov 20 08:14:02 relay7 postfix/smtp[1]: 5C0DE27A13: to=<big@example.org>, relay=none, delay=0, delays=0/0/0/0, dsn=5.0.0, status=bounced ("
        let body = String(repeating: "550-5.1.1 x ", count: (1 << 20) / 12)
        let line = head + body + ")"
        let a = deliveryOf(line)
        #expect(a?.status == .bounced)
        #expect((a?.diagnostic.utf8.count ?? 0) > 100_000)
        let junk = String(repeating: "A", count: 1 << 20)
        #expect(parseLine(junk).record == .other)
        #expect(parseLine("Nov 20 08:14:02 relay7 postfix/smtp[1]: " + junk).record.kind == .otherMTA)
    }

    @Test("kind(of:) agrees with parse on every fixture form")
    func kindAgrees() {
        let lines = [
            "Nov 20 08:14:02 relay7 postfix/qmgr[700]: 3E4F5A6B7C: from=<news@lists.example>, size=5120, nrcpt=3 (queue active)",
            "Nov 20 08:14:02 relay7 postfix/qmgr[700]: 3E4F5A6B7C: from=<news@lists.example>, status=expired, returned to sender",
            "Nov 20 08:14:02 relay7 postfix/cleanup[801]: 3E4F5A6B7C: message-id=<c0ffee-42@lists.example>",
            "Nov 20 08:14:02 relay7 postfix/bounce[902]: 3E4F5A6B7C: sender non-delivery notification: 4A5B6C7D8E",
            "Nov 20 08:14:02 relay7 postfix/smtpd[55]: NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 no",
            "2026-11-20 09:30:12 1vRaBc-0003Xy-4D X-Listmonk-Campaign: a",
            "2026-11-20 09:30:12 1vRaBc-0003Xy-4D <= a@b.example S=1",
            "2026-11-20 09:30:12 1vRaBc-0003Xy-4D ** a@b.example: Unrouteable address",
        ]
        let expected: [RecordKind] = [
            .queued, .expired, .messageID, .bounceNotification, .inboundReject, .header, .queued, .delivery,
        ]
        var p = LineParser(options: testOptions)
        for (line, kind) in zip(lines, expected) {
            let k = Array(line.utf8).withUnsafeBytes { p.kind(of: $0) }
            #expect(k == kind, "\(line)")
            #expect(p.parse(line).record.kind == kind)
        }
    }
}
