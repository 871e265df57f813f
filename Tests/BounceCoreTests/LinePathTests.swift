import Testing

@testable import BounceCore

/// The line path's shortcuts give what the plain code gave: the relay's host read on the bytes, the
/// supersession table built for the events' addresses only, a backfill's sent lines parsed without their
/// relay and reply, and lower-casing on the bytes.
@Suite struct LinePathTests {
    /// Every relay form, including ones the String path treats by grapheme clusters (a combining mark after
    /// a bracket) and invalid UTF-8: the byte reading must name the same host as `remoteHost(String)`.
    @Test func relayHostOnTheBytesIsTheStringPathsHost() {
        let relays = [
            "mx2.example.org[198.51.100.9]:25", "[198.51.100.9]:25", "none", "local", "mx.example.org",
            "[198.51.100.9", "[]:25", "mx[1.2.3.4]", "[2001:db8::1]:25", "host[\u{301}1.2.3.4]:25",
            "h\u{e9}te.example[192.0.2.1]:25", "nonex", "NONE", "a[b]c[d]",
        ]
        for relay in relays {
            let line =
                "Nov 20 08:14:02 relay7 postfix/smtp[4410]: 5C0DE27A13: to=<dave@example.org>, relay=\(relay), delay=1.2, dsn=5.1.1, status=bounced (host said: 550 5.1.1 no)"
            guard case .delivery(let a) = parseLine(line).record else {
                Issue.record("not a delivery: \(relay)")
                continue
            }
            #expect(a.relay == relay)
            #expect(a.remoteHost == PostfixScanner.remoteHost(relay), "relay \(relay)")
        }
        // Invalid UTF-8 in the relay: repaired in both, and the same host.
        var bytes = Array(
            "Nov 20 08:14:02 relay7 postfix/smtp[4410]: 5C0DE27A13: to=<d@example.org>, relay=m\u{0}x".utf8)
        bytes[bytes.count - 2] = 0xFF
        bytes += Array("[192.0.2.1]:25, dsn=5.1.1, status=bounced (550 no)".utf8)
        var p = LineParser(options: testOptions)
        let parsed = bytes.withUnsafeBytes { p.parse($0) }
        guard case .delivery(let a) = parsed.record else {
            Issue.record("not a delivery")
            return
        }
        #expect(a.remoteHost == a.relay.flatMap(PostfixScanner.remoteHost))
        #expect(a.remoteHost?.contains("\u{FFFD}") == true)
    }

    /// Among deliveries to an event's address, the latest counts, and of several at that latest time the
    /// first; deliveries to addresses without an event change nothing.
    @Test func supersessionTakesTheFirstOfTheLatestDeliveries() {
        var b = EventBuilder()
        var events = [
            b.build(
                TrackingEventTests.outcome(recipient: "a@example.com", time: TF.t(100)),
                classification: TF.classification())
        ]
        var deliveries = (0..<1_000).map {
            SuccessfulDelivery(address: "other\($0)@example.com", time: TF.t(300), mta: .postfix, queueID: "X")
        }
        deliveries.insert(
            SuccessfulDelivery(address: "a@example.com", time: TF.t(150), mta: .postfix, queueID: "Z1"), at: 10)
        deliveries.insert(
            SuccessfulDelivery(address: "A@example.com", time: TF.t(200), mta: .postfix, queueID: "Z2"), at: 500)
        deliveries.append(SuccessfulDelivery(address: "a@example.com", time: TF.t(200), mta: .postfix, queueID: "Z3"))
        #expect(Supersession.holdSuperseded(&events, deliveries: deliveries) == 1)
        #expect(events[0].meta.holdReason?.hasSuffix("(postfix queue id Z2)") == true)
        // Only deliveries to other addresses: nothing held.
        var fresh = [
            b.build(
                TrackingEventTests.outcome(recipient: "a@example.com", time: TF.t(100)),
                classification: TF.classification())
        ]
        #expect(Supersession.holdSuperseded(&fresh, deliveries: Array(deliveries[..<10])) == 0)
    }

    /// A log whose sent lines go every way the tracker can take them: plain deliveries (one with `orig_to`,
    /// one in capitals after a deferral of the same recipient), a content filter's hand-off (`queued as` to
    /// loopback) and a `queued as` to a relay that is no filter, beside deferrals, a bounce and an expiry.
    static let sentLog = """
        Nov 20 10:00:01 mx1 postfix/cleanup[301]: 4F1A2B3C4D: info: header X-Listmonk-Campaign: 7e0b3c2a-1d4f-4a8b-9c6d-5e4f3a2b1c0d from localhost[127.0.0.1]; from=<news@lists.example> to=<pat@dest.example> proto=ESMTP helo=<lists.example>
        Nov 20 10:00:01 mx1 postfix/cleanup[301]: 4F1A2B3C4D: message-id=<20261120100001.abc@lists.example>
        Nov 20 10:00:01 mx1 postfix/qmgr[200]: 4F1A2B3C4D: from=<news@lists.example>, size=4100, nrcpt=3 (queue active)
        Nov 20 10:00:02 mx1 postfix/smtp[302]: 4F1A2B3C4D: to=<pat@dest.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9A8B7C6D5E)
        Nov 20 10:00:02 mx1 postfix/smtp[302]: 4F1A2B3C4D: to=<kim@dest.example>, orig_to=<Kim.Alias@Lists.Example>, relay=mx.dest.example[198.51.100.7]:25, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 OK 370f17a300 - gsmtp)
        Nov 20 10:00:02 mx1 postfix/smtp[302]: 4F1A2B3C4D: to=<lee@other.example>, relay=mx.other.example[203.0.113.5]:25, delay=1, delays=0.1/0/0/0.9, dsn=4.2.0, status=deferred (host mx.other.example[203.0.113.5] said: 451 4.2.0 try later (in reply to RCPT TO command))
        Nov 20 10:00:03 mx1 postfix/smtp[306]: 9A8B7C6D5E: to=<pat@dest.example>, relay=mx.dest.example[198.51.100.7]:25, delay=1.1, delays=0/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.dest.example[198.51.100.7] said: 550 5.1.1 no such user (in reply to RCPT TO command))
        Nov 20 10:00:04 mx1 postfix/qmgr[200]: 5E5E5E5E5E: from=<news@lists.example>, size=4100, nrcpt=1 (queue active)
        Nov 20 10:00:04 mx1 postfix/smtp[307]: 5E5E5E5E5E: to=<sam@relay.example>, relay=relay.example[192.0.2.8]:25, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 77AA77AA77)
        Nov 20 10:05:00 mx1 postfix/smtp[302]: 4F1A2B3C4D: to=<LEE@other.example>, relay=mx.other.example[203.0.113.5]:25, delay=300, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 accepted)
        Nov 20 10:05:00 mx1 postfix/qmgr[200]: 4F1A2B3C4D: removed
        Nov 20 10:05:01 mx1 postfix/qmgr[200]: 6F6F6F6F6F: from=<news@lists.example>, size=4100, nrcpt=1 (queue active)
        Nov 20 10:05:01 mx1 postfix/smtp[308]: 6F6F6F6F6F: to=<ann@slow.example>, relay=none, delay=1, delays=0.1/0/0/0.9, dsn=4.4.1, status=deferred (connect to slow.example[192.0.2.9]:25: Connection timed out)
        Nov 20 10:06:01 mx1 postfix/smtp[308]: 6F6F6F6F6F: to=<ann@slow.example>, relay=none, delay=61, delays=0.1/0/0/0.9, status=sent
        Nov 21 10:06:01 mx1 postfix/qmgr[200]: 6F6F6F6F6F: from=<news@lists.example>, status=expired, returned to sender
        """

    /// A backfill parses sent lines without their relay and reply (``LineParserOptions/sentDetail``): the
    /// tracker must decide, count and store exactly what it does with the whole lines.
    @Test func sentLinesWithoutDetailTrackExactlyAsWhole() {
        func run(sentDetail: Bool) -> [String] {
            var parser = LineParser(
                options: LineParserOptions(timeZone: .utc, referenceTime: testReference, sentDetail: sentDetail))
            var tracker = MessageTracker(
                options: TrackerOptions(
                    host: "mx1.example.net", filterRelays: ["127.0.0.1"], recordDeliveries: true,
                    recordTallies: true))
            var seen: [String] = []
            for line in Self.sentLog.split(separator: "\n") {
                seen += tracker.ingest(parser.parse(String(line))).map { "\($0)" }
                seen += tracker.drainDeliveries().map { "\($0)" } + tracker.drainTallies().map { "\($0)" }
                let changes = tracker.drainChanges()
                seen += changes.upserted.keys.sorted().map { "\($0) \(changes.upserted[$0]!)" }
                seen += changes.deleted.sorted()
            }
            return seen + ["\(tracker.counters)"]
        }
        let whole = run(sentDetail: true)
        #expect(whole.contains { $0.contains("bounced") } && whole.count > 20)
        #expect(run(sentDetail: false) == whole)
    }

    /// Without ``LineParserOptions/sentDetail`` a plain sent line keeps its queue id, recipients, agent and
    /// status; a sent line with `queued as` and every other status are parsed whole.
    @Test func sentDetailLeavesOutOnlyAPlainSentLinesRelayAndReply() {
        let light = LineParserOptions(timeZone: .utc, referenceTime: testReference, sentDetail: false)
        for line in Self.sentLog.split(separator: "\n").map(String.init) {
            let whole = parseLine(line)
            let parsed = parseLine(line, options: light)
            guard case .delivery(let w) = whole.record, w.status == .sent, w.queuedAs == nil else {
                #expect(parsed == whole, "\(line)")
                continue
            }
            guard case .delivery(let a) = parsed.record else {
                Issue.record("not a delivery: \(line)")
                continue
            }
            #expect(parsed.envelope == whole.envelope)
            let kept = DeliveryAttempt(
                mta: w.mta, queueID: w.queueID, recipient: w.recipient, originalRecipient: w.originalRecipient,
                agent: w.agent, rawStatus: w.rawStatus, status: w.status)
            #expect(a == kept, "\(line)")
            #expect(w.relay != nil)
        }
    }

    /// ``String/cheaplyLowercased`` is `lowercased()`, whatever the text.
    @Test(arguments: [
        "", "user@example.com", "User@Example.COM", "ZZ", "@[]^_`{", "\u{e9}t\u{e9}@example.com", "\u{c9}T\u{c9}",
        "a\u{301}b", "İstanbul@example.com", "ß@example.com", "x" + String(repeating: "y", count: 40) + "Q",
    ])
    func cheaplyLowercasedIsLowercased(text: String) {
        #expect(text.cheaplyLowercased == text.lowercased())
    }
}
