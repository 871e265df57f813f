import Testing

@testable import BounceCore

/// Real multi-line log text through the parser into the tracker and the event builder.
@Suite("Tracker fed by the line parser")
struct TrackingParsedLogTests {
    static func outcomes(_ text: String, _ configure: (inout TrackerOptions) -> Void = { _ in }) -> (
        MessageTracker, [FinalOutcome]
    ) {
        var parser = LineParser(
            options: LineParserOptions(timeZone: .utc, referenceTime: LogTime(seconds: 1_796_083_200)))
        var o = TrackerOptions(host: "mx1.example.net")
        configure(&o)
        var tracker = MessageTracker(options: o)
        var out: [FinalOutcome] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            out += tracker.ingest(parser.parse(String(line)))
        }
        return (tracker, out)
    }

    static let campaign = "7e0b3c2a-1d4f-4a8b-9c6d-5e4f3a2b1c0d"
    static let subscriber = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"

    @Test func postfixHardBounceThroughAmavisWithHeadersUnderTheFirstID() throws {
        let log = """
            Nov 20 10:00:01 mx1 postfix/smtpd[300]: 4F1A2B3C4D: client=localhost[127.0.0.1]
            Nov 20 10:00:01 mx1 postfix/cleanup[301]: 4F1A2B3C4D: info: header X-Listmonk-Campaign: \(Self.campaign) from localhost[127.0.0.1]; from=<news@lists.example> to=<pat@dest.example> proto=ESMTP helo=<lists.example>
            Nov 20 10:00:01 mx1 postfix/cleanup[301]: 4F1A2B3C4D: info: header X-Listmonk-Subscriber: \(Self.subscriber) from localhost[127.0.0.1]; from=<news@lists.example> to=<pat@dest.example> proto=ESMTP helo=<lists.example>
            Nov 20 10:00:01 mx1 postfix/cleanup[301]: 4F1A2B3C4D: message-id=<20261120100001.abc@lists.example>
            Nov 20 10:00:01 mx1 postfix/qmgr[200]: 4F1A2B3C4D: from=<news@lists.example>, size=4100, nrcpt=1 (queue active)
            Nov 20 10:00:02 mx1 postfix/cleanup[305]: 9A8B7C6D5E: message-id=<20261120100001.abc@lists.example>
            Nov 20 10:00:02 mx1 postfix/qmgr[200]: 9A8B7C6D5E: from=<news@lists.example>, size=4500, nrcpt=1 (queue active)
            Nov 20 10:00:02 mx1 postfix/smtp[302]: 4F1A2B3C4D: to=<pat@dest.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9A8B7C6D5E)
            Nov 20 10:00:02 mx1 postfix/qmgr[200]: 4F1A2B3C4D: removed
            Nov 20 10:00:03 mx1 postfix/smtp[306]: 9A8B7C6D5E: to=<pat@dest.example>, relay=mx.dest.example[198.51.100.7]:25, delay=1.1, delays=0/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.dest.example[198.51.100.7] said: 550 5.1.1 <pat@dest.example>: Recipient address rejected: no such user here (in reply to RCPT TO command))
            Nov 20 10:00:03 mx1 postfix/cleanup[305]: 0B0C0D0E0F: message-id=<20261120100003.0B0C0D0E0F@mx1.example.net>
            Nov 20 10:00:03 mx1 postfix/bounce[307]: 9A8B7C6D5E: sender non-delivery notification: 0B0C0D0E0F
            Nov 20 10:00:03 mx1 postfix/qmgr[200]: 0B0C0D0E0F: from=<>, size=6000, nrcpt=1 (queue active)
            Nov 20 10:00:03 mx1 postfix/qmgr[200]: 9A8B7C6D5E: removed
            Nov 20 10:00:04 mx1 postfix/smtp[308]: 0B0C0D0E0F: to=<news@lists.example>, relay=lists.example[192.0.2.80]:25, delay=0.3, delays=0/0/0.1/0.2, dsn=5.1.1, status=bounced (host lists.example[192.0.2.80] said: 550 5.1.1 unknown (in reply to RCPT TO command))
            Nov 20 10:00:04 mx1 postfix/qmgr[200]: 0B0C0D0E0F: removed
            """
        let (tracker, out) = Self.outcomes(log)
        #expect(out.count == 1, "the notification's own failure is not a subscriber bounce")
        let o = try #require(out.first)
        #expect(o.queueID == "9A8B7C6D5E")
        #expect(o.kind == .bounced)
        #expect(o.campaignUUID == Self.campaign)
        #expect(o.subscriberUUID == Self.subscriber)
        #expect(o.sender == "news@lists.example")
        #expect(o.messageID == "20261120100001.abc@lists.example")
        #expect(o.evidence?.smtpStage == .rcpt)
        #expect(tracker.counters.filterHandOffs == 1)
        #expect(tracker.counters.delivered == 0)
        #expect(tracker.counters.bounceNotifications == 1)
        #expect(tracker.messageCount == 0)

        var builder = EventBuilder()
        let e = builder.build(o, classification: TF.classification(), now: LogTime(seconds: 1_795_651_200))
        #expect(e.email == "pat@dest.example")
        #expect(e.createdAt == "2026-11-20T10:00:03Z")
        #expect(
            e.dedupKey
                == "v2|mx1|postfix|9A8B7C6D5E|a:\(o.time.seconds)|pat@dest.example|bounced")
    }

    @Test func postfixQuotaDeferralsThenExpiryAndASuspendedSecondRecipient() throws {
        let log = """
            Nov 21 08:00:00 mx1 postfix/cleanup[1]: 1C2D3E4F5A: message-id=<q1@lists.example>
            Nov 21 08:00:00 mx1 postfix/qmgr[2]: 1C2D3E4F5A: from=<news@lists.example>, size=3000, nrcpt=2 (queue active)
            Nov 21 08:00:01 mx1 postfix/smtp[3]: 1C2D3E4F5A: to=<full@quota.example>, relay=mx.quota.example[203.0.113.40]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.2.2, status=deferred (host mx.quota.example[203.0.113.40] said: 452 4.2.2 <full@quota.example>: mailbox is over quota (in reply to RCPT TO command))
            Nov 21 08:00:01 mx1 postfix/error[4]: 1C2D3E4F5A: to=<other@quota.example>, relay=none, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (delivery temporarily suspended: host mx.quota.example[203.0.113.40] said: 452 4.2.2 <full@quota.example>: mailbox is over quota (in reply to RCPT TO command))
            Nov 23 08:00:00 mx1 postfix/qmgr[2]: 1C2D3E4F5A: from=<news@lists.example>, size=3000, nrcpt=2 (queue active)
            Nov 23 08:00:01 mx1 postfix/smtp[3]: 1C2D3E4F5A: to=<full@quota.example>, relay=mx.quota.example[203.0.113.40]:25, delay=172801, delays=172800/0/0.5/0.5, dsn=4.2.2, status=deferred (host mx.quota.example[203.0.113.40] said: 452 4.2.2 <full@quota.example>: mailbox is still over quota (in reply to RCPT TO command))
            Nov 26 08:00:02 mx1 postfix/qmgr[2]: 1C2D3E4F5A: from=<news@lists.example>, status=expired, returned to sender
            Nov 26 08:00:02 mx1 postfix/cleanup[1]: 7F7F7F7F7F: message-id=<20261126080002.7F7F7F7F7F@mx1.example.net>
            Nov 26 08:00:02 mx1 postfix/bounce[5]: 1C2D3E4F5A: sender non-delivery notification: 7F7F7F7F7F
            Nov 26 08:00:02 mx1 postfix/qmgr[2]: 1C2D3E4F5A: removed
            """
        let (tracker, out) = Self.outcomes(log)
        #expect(out.map(\.recipient) == ["full@quota.example", "other@quota.example"])
        #expect(out.allSatisfy { $0.kind == .expired })
        #expect(
            out[0].evidence?.diagnostic.contains("still over quota") == true, "the last deferral explains the expiry")
        #expect(
            out[1].evidence?.isAttempt == true, "the suspended recipient takes the message's real attempt on its domain"
        )
        #expect(out[1].evidence?.recipient == "full@quota.example")
        #expect(out[0].failureEvidence.status == .expired)
        #expect(tracker.messageCount == 1, "only the notification's state remains")
    }

    @Test func greylistThenDeliveredGivesNoOutcome() {
        let log = """
            Nov 22 09:00:00 mx1 postfix/qmgr[2]: 2A2A2A2A2A: from=<news@lists.example>, size=3000, nrcpt=1 (queue active)
            Nov 22 09:00:01 mx1 postfix/smtp[3]: 2A2A2A2A2A: to=<grey@slow.example>, relay=mx.slow.example[203.0.113.50]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.1, status=deferred (host mx.slow.example[203.0.113.50] said: 450 4.7.1 <grey@slow.example>: Recipient address rejected: greylisted, try again in 300 seconds (in reply to RCPT TO command))
            Nov 22 09:10:01 mx1 postfix/qmgr[2]: 2A2A2A2A2A: from=<news@lists.example>, size=3000, nrcpt=1 (queue active)
            Nov 22 09:10:02 mx1 postfix/smtp[3]: 2A2A2A2A2A: to=<grey@slow.example>, relay=mx.slow.example[203.0.113.50]:25, delay=601, delays=600/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99ZZ)
            Nov 22 09:10:02 mx1 postfix/qmgr[2]: 2A2A2A2A2A: removed
            """
        let (tracker, out) = Self.outcomes(log)
        #expect(out.isEmpty)
        #expect(tracker.counters.delivered == 1)
        #expect(tracker.counters.filterHandOffs == 0)
    }

    @Test func eximHeadersBeforeArrivalThenAllHostsFailing() throws {
        let log = """
            2026-11-20 09:30:00 1vExAa-0001Aa-1A X-Listmonk-Campaign: \(Self.campaign) X-Listmonk-Subscriber: \(Self.subscriber)
            2026-11-20 09:30:00 1vExAa-0001Aa-1A <= news@lists.example H=(lists.example) [127.0.0.1] P=esmtp S=5000 id=e1@lists.example
            2026-11-20 09:30:05 1vExAa-0001Aa-1A == zed@down.example R=dnslookup T=remote_smtp defer (111): Connection refused H=mx.down.example [198.51.100.60]
            2026-11-20 10:30:05 1vExAa-0001Aa-1A == zed@down.example R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for 'down.example'
            2026-11-24 09:30:05 1vExAa-0001Aa-1A ** zed@down.example R=dnslookup T=remote_smtp: all hosts for 'down.example' have been failing for a long time (and retry time not reached)
            2026-11-24 09:30:05 1vExBb-0001Bb-2B <= <> R=1vExAa-0001Aa-1A U=Debian-exim P=local S=7000
            2026-11-24 09:30:05 1vExAa-0001Aa-1A Completed
            2026-11-24 09:30:06 1vExBb-0001Bb-2B ** news@lists.example R=dnslookup T=remote_smtp H=lists.example [192.0.2.80]: SMTP error from remote mail server after RCPT TO:<news@lists.example>: 550 5.1.1 unknown
            2026-11-24 09:30:06 1vExBb-0001Bb-2B Completed
            """
        let (tracker, out) = Self.outcomes(log)
        #expect(out.count == 1)
        let o = try #require(out.first)
        #expect(o.kind == .expired)
        #expect(o.mta == .exim)
        #expect(o.rawStatus == "**")
        #expect(o.campaignUUID == Self.campaign)
        #expect(o.subscriberUUID == Self.subscriber)
        #expect(o.messageID == "e1@lists.example")
        #expect(o.evidence?.isAttempt == true)
        #expect(o.evidence?.diagnostic.contains("Connection refused") == true)
        #expect(tracker.counters.bounceNotifications == 1)
        #expect(tracker.messageCount == 0)
    }

    @Test func eximUnrouteableIsABounceAndPersonalMailIsFiltered() {
        let log = """
            2026-11-20 11:00:00 1vExCc-0001Cc-3C <= news@lists.example H=(lists.example) [127.0.0.1] P=esmtp S=5000 id=e2@lists.example
            2026-11-20 11:00:00 1vExCc-0001Cc-3C ** nobody@nx.example: Unrouteable address
            2026-11-20 11:00:00 1vExCc-0001Cc-3C Completed
            2026-11-20 11:01:00 1vExDd-0001Dd-4D <= alice@mx1.example.net U=alice P=local S=900 id=p1@mx1.example.net
            2026-11-20 11:01:00 1vExDd-0001Dd-4D ** typo@nx.example: Unrouteable address
            2026-11-20 11:01:00 1vExDd-0001Dd-4D Completed
            """
        let (tracker, out) = Self.outcomes(log) { $0.senderFilter = SenderFilter(patterns: ["lists.example"]) }
        #expect(out.map(\.recipient) == ["nobody@nx.example"])
        #expect(out.first?.kind == .bounced)
        #expect(tracker.counters.filtered == 1)
    }

    @Test func postfixQueueIDReuseGivesTwoDistinctEvents() {
        let one = """
            Nov 25 07:00:00 mx1 postfix/cleanup[1]: 5D5D5D5D5D: message-id=<first@lists.example>
            Nov 25 07:00:00 mx1 postfix/qmgr[2]: 5D5D5D5D5D: from=<news@lists.example>, size=3000, nrcpt=1 (queue active)
            Nov 25 07:00:01 mx1 postfix/smtp[3]: 5D5D5D5D5D: to=<gone@dest.example>, relay=mx.dest.example[198.51.100.7]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx.dest.example[198.51.100.7] said: 550 5.1.1 no such user (in reply to RCPT TO command))
            Nov 25 07:00:01 mx1 postfix/qmgr[2]: 5D5D5D5D5D: removed
            Nov 25 19:00:00 mx1 postfix/cleanup[1]: 5D5D5D5D5D: message-id=<second@lists.example>
            Nov 25 19:00:00 mx1 postfix/qmgr[2]: 5D5D5D5D5D: from=<news@lists.example>, size=3000, nrcpt=1 (queue active)
            Nov 25 19:00:01 mx1 postfix/smtp[3]: 5D5D5D5D5D: to=<gone@dest.example>, relay=mx.dest.example[198.51.100.7]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx.dest.example[198.51.100.7] said: 550 5.1.1 no such user (in reply to RCPT TO command))
            Nov 25 19:00:01 mx1 postfix/qmgr[2]: 5D5D5D5D5D: removed
            """
        let (_, out) = Self.outcomes(one)
        #expect(out.count == 2)
        #expect(Set(out.map(\.dedupKey)).count == 2)
        // Reading the same text again (e.g. from the journal) gives the same keys.
        let (_, again) = Self.outcomes(one)
        #expect(again.map(\.dedupKey) == out.map(\.dedupKey))
    }
}
