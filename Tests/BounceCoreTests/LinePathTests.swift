import Testing

@testable import BounceCore

/// The line path's shortcuts give what the plain code gave: the relay's host read on the bytes, and the
/// supersession table built for the events' addresses only.
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
}
