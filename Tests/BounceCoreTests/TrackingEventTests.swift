import Testing

@testable import BounceCore

@Suite("Event assembly: BounceEvent, dedup key, JSON")
struct TrackingEventTests {
    static func outcome(
        kind: FinalOutcome.Kind = .bounced, recipient: String = "Gone@Example.com", orig: String? = nil,
        campaign: String? = TF.campaign, subscriber: String? = TF.subscriber, messageID: String? = "m1@lists",
        time: LogTime = TF.t(2),
        evidence: DeliveryAttempt? = TF.attempt(
            "4Qx1", to: "Gone@Example.com", .bounced, remoteHost: "mx.example.com", dsn: "5.1.1", code: 550,
            enhanced: "5.1.1", diag: "550 5.1.1 User unknown", stage: .rcpt)
    ) -> FinalOutcome {
        FinalOutcome(
            kind: kind, mta: .postfix, host: TF.host, queueID: "4Qx1", firstSeen: TF.t(0), messageID: messageID,
            sender: TF.list, campaignUUID: campaign, subscriberUUID: subscriber, recipient: recipient,
            originalRecipient: orig, time: time, rawStatus: "bounced", evidence: evidence)
    }

    @Test func buildsTheWebhookBody() {
        var b = EventBuilder()
        let e = b.build(Self.outcome(), classification: TF.classification(), now: TF.t(3))
        #expect(e.email == "gone@example.com")
        #expect(e.subscriberUUID == TF.subscriber)
        #expect(e.campaignUUID == TF.campaign)
        #expect(e.source == "bouncetail")
        #expect(e.type == .hard)
        #expect(e.createdAt == "2026-11-26T00:00:02Z")
        #expect(e.meta.status == "bounced")
        #expect(e.meta.action == .forward)
        #expect(e.meta.holdReason == nil)
        #expect(e.meta.dsn == "5.1.1")
        #expect(e.meta.replyCode == 550)
        #expect(e.meta.smtpStage == .rcpt)
        #expect(e.meta.remoteHost == "mx.example.com")
        #expect(e.meta.host == TF.host)
        #expect(e.meta.queueID == "4Qx1")
        #expect(e.meta.messageID == "m1@lists")
        #expect(e.meta.rule == "test.userunknown")
        #expect(e.dedupKey == "v2|\(TF.host)|postfix|4Qx1|a:\(Self.outcome().time.seconds)|gone@example.com|bounced")

        let json = e.webhookJSON()
        #expect(
            json == """
                {"email":"gone@example.com","subscriber_uuid":"\(TF.subscriber)","campaign_uuid":"\(TF.campaign)",\
                "source":"bouncetail","type":"hard","created_at":"2026-11-26T00:00:02Z","meta":{"reason":"userunknown",\
                "fault":"recipient","action":"forward","status":"bounced","dsn":"5.1.1","reply_code":550,\
                "smtp_stage":"RCPT","remote_host":"mx.example.com","mta":"postfix","host":"\(TF.host)",\
                "queue_id":"4Qx1","message_id":"m1@lists","sender":"\(TF.list)","diagnostic":"550 5.1.1 User unknown",\
                "rule":"test.userunknown","evidence":"test"}}
                """)
        #expect(!json.contains("dedup_key"))
        #expect(
            e.jsonLine().hasPrefix(
                "{\"dedup_key\":\"v2|\(TF.host)|postfix|4Qx1|a:\(Self.outcome().time.seconds)|gone@example.com|bounced\",\"email\":"
            ))
        #expect(e.jsonLine().hasSuffix(json.dropFirst()))
    }

    @Test func origToIsTheEmailAndAbsentFieldsAreNullOrOmitted() {
        var b = EventBuilder()
        let e = b.build(
            Self.outcome(
                kind: .expired, orig: " Listed@Example.COM", campaign: nil, subscriber: nil, messageID: nil,
                evidence: nil),
            classification: TF.classification("expired", .soft, fault: .remote))
        #expect(e.email == "listed@example.com")
        #expect(e.meta.status == "expired")
        let json = e.webhookJSON()
        #expect(!json.contains("subscriber_uuid"))
        #expect(!json.contains("campaign_uuid"))
        #expect(json.contains("\"dsn\":null,\"reply_code\":null,\"smtp_stage\":null,\"remote_host\":null"))
        #expect(json.contains("\"message_id\":null"))
        #expect(json.contains("\"diagnostic\":null"))
        #expect(e.dedupKey == "v2|\(TF.host)|postfix|4Qx1|a:\(Self.outcome().time.seconds)|gone@example.com|expired")
    }

    @Test func origToThatIsNotAnAddressIsIgnored() {
        #expect(Self.outcome(orig: "root").email == "gone@example.com")
    }

    @Test func expiredAndDeferredAreSoftEvenIfTheReasonIsHard() {
        var b = EventBuilder()
        let hard = TF.classification("userunknown", .hard)
        #expect(b.build(Self.outcome(kind: .expired), classification: hard).type == .soft)
        #expect(b.build(Self.outcome(kind: .deferredTooLong), classification: hard).type == .soft)
        #expect(b.build(Self.outcome(kind: .deferredTooLong), classification: hard).meta.status == "deferred")
        #expect(b.build(Self.outcome(kind: .bounced), classification: hard).type == .hard)
    }

    @Test func malformedUUIDsAreLeftOutNotedAndCounted() {
        var b = EventBuilder()
        let e = b.build(
            Self.outcome(campaign: "not-a-uuid", subscriber: "A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D"),
            classification: TF.classification())
        #expect(e.campaignUUID == nil)
        #expect(e.subscriberUUID == "A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D")
        #expect(b.malformedUUIDs == 1)
        #expect(e.meta.note == "malformed campaign_uuid left out: not-a-uuid")
        #expect(e.webhookJSON().contains("\"note\":\"malformed campaign_uuid left out: not-a-uuid\""))
    }

    @Test func uuidSyntax() {
        #expect(UUIDSyntax.isWellFormed(TF.campaign))
        #expect(UUIDSyntax.isWellFormed("ABCDEF01-2345-6789-abcd-ef0123456789"))
        #expect(!UUIDSyntax.isWellFormed(""))
        #expect(!UUIDSyntax.isWellFormed("2f1c9a4e8b7d4c3a9e215a6b7c8d9e0f"))
        #expect(!UUIDSyntax.isWellFormed("2f1c9a4e-8b7d-4c3a-9e21-5a6b7c8d9e0"))
        #expect(!UUIDSyntax.isWellFormed("2f1c9a4e-8b7d-4c3a-9e21-5a6b7c8d9e0f0"))
        #expect(!UUIDSyntax.isWellFormed("2f1c9a4g-8b7d-4c3a-9e21-5a6b7c8d9e0f"))
        #expect(!UUIDSyntax.isWellFormed("{2f1c9a4e-8b7d-4c3a-9e21-5a6b7c8d9e0f}"))
        #expect(!UUIDSyntax.isWellFormed("2f1c9a4e-8b7d-4c3a-9e21-5a6b7c8d9e0é"))
    }

    @Test func senderFaultHoldIsCarriedWithAReason() {
        var b = EventBuilder()
        let e = b.build(
            Self.outcome(), classification: TF.classification("blocked", .soft, fault: .sender, action: .hold))
        #expect(e.meta.action == .hold)
        #expect(e.meta.holdReason == "policy holds sender-fault reason blocked")
    }

    @Test func oldEventsAreHeldRelativeToTheInjectedNow() {
        var b = EventBuilder()
        let o = Self.outcome(time: TF.t(0))
        #expect(b.build(o, classification: TF.classification(), now: TF.t(30 * 86400)).meta.action == .forward)
        let old = b.build(o, classification: TF.classification(), now: TF.t(30 * 86400 + 1))
        #expect(old.meta.action == .hold)
        #expect(old.meta.holdReason == "older than 30 days when processed")
        #expect(b.build(o, classification: TF.classification(), now: nil).meta.action == .forward)
        var never = EventBuilder(options: EventBuilderOptions(source: "mx1-bt", holdOlderThan: nil))
        let e = never.build(o, classification: TF.classification(), now: TF.t(900 * 86400))
        #expect(e.meta.action == .forward)
        #expect(e.source == "mx1-bt")
    }

    @Test func outboxHoldCodeNamesWhichHoldApplied() {
        var b = EventBuilder()
        let o = Self.outcome(time: TF.t(0))
        let late = TF.t(31 * 86400)
        let fresh = b.build(o, classification: TF.classification(), now: TF.t(1))
        #expect(EventBuilder.outboxHoldCode(for: fresh) == nil)
        // The age hold alone: `outbox release --reason too-old` must find it.
        let old = b.build(o, classification: TF.classification(), now: late)
        #expect(EventBuilder.outboxHoldCode(for: old) == "too-old")
        let sender = TF.classification("blocked", .soft, fault: .sender, action: .hold)
        #expect(EventBuilder.outboxHoldCode(for: b.build(o, classification: sender, now: TF.t(1))) == "sender-fault")
        // Both: the policy's hold wins, so releasing old events does not send our own deliverability problems.
        let both = b.build(o, classification: sender, now: late)
        #expect(both.meta.holdReason?.contains("older than") == true)
        #expect(EventBuilder.outboxHoldCode(for: both) == "sender-fault")
    }

    @Test func aSpikeGuardHoldIsSupersededByALaterDeliveryButOtherHoldsAreNot() {
        var b = EventBuilder()
        var guarded = b.build(
            Self.outcome(recipient: "a@example.com", time: TF.t(100)), classification: TF.classification())
        guarded.meta.action = .hold
        guarded.meta.holdReason = HardBounceGuard.holdReasonPrefix + " 20 of 30 outcomes to example.com were hard"
        let sender = b.build(
            Self.outcome(recipient: "b@example.com", time: TF.t(100)),
            classification: TF.classification("blocked", .soft, fault: .sender, action: .hold))
        var events = [guarded, sender]
        let deliveries = ["a@example.com", "b@example.com"].map {
            SuccessfulDelivery(address: $0, time: TF.t(200), mta: .postfix, queueID: "Z")
        }
        #expect(Supersession.holdSuperseded(&events, deliveries: deliveries) == 1)
        #expect(events[0].meta.holdReason?.hasPrefix("superseded by a later delivery") == true)
        #expect(!HardBounceGuard.isGuardHold(events[0]), "releasing spike-guard holds must not send it")
        #expect(events[1].meta.holdReason == "policy holds sender-fault reason blocked")
    }

    @Test func supersededByALaterDeliveryIsHeld() {
        var b = EventBuilder()
        var events = [
            b.build(Self.outcome(recipient: "a@example.com", time: TF.t(100)), classification: TF.classification()),
            b.build(Self.outcome(recipient: "b@example.com", time: TF.t(100)), classification: TF.classification()),
            b.build(
                Self.outcome(recipient: "c@example.com", time: LogTime(seconds: TF.base + 100, micros: 500_000)),
                classification: TF.classification()),
        ]
        let deliveries = [
            SuccessfulDelivery(address: "A@example.com", time: TF.t(200), mta: .postfix, queueID: "Z1"),
            SuccessfulDelivery(address: "b@example.com", time: TF.t(50), mta: .postfix, queueID: "Z2"),
            SuccessfulDelivery(address: "c@example.com", time: TF.t(100), mta: .postfix, queueID: "Z3"),
        ]
        let holds = Supersession.holds(for: events, deliveries: deliveries)
        #expect(Array(holds.keys) == [events[0].dedupKey])
        #expect(Supersession.holdSuperseded(&events, deliveries: deliveries) == 1)
        #expect(events.map(\.meta.action) == [.hold, .forward, .forward])
        #expect(
            events[0].meta.holdReason
                == "superseded by a later delivery to the same address at 2026-11-26T00:03:20Z (postfix queue id Z1)")
        #expect(holds[events[0].dedupKey] == events[0].meta.holdReason)
        #expect(Supersession.holds(for: events, deliveries: deliveries).isEmpty, "already held events are left alone")
    }

    @Test func dedupKeyIsStableAndEscaped() {
        let a = Self.outcome()
        #expect(a.dedupKey == Self.outcome().dedupKey)
        var odd = a
        odd.recipient = "x|y%z@h"
        #expect(odd.dedupKey == "v2|\(TF.host)|postfix|4Qx1|a:\(a.time.seconds)|x%7Cy%25z@h|bounced")
        var other = a
        other.kind = .expired
        #expect(other.dedupKey != a.dedupKey)
        var sub = a
        sub.time = LogTime(seconds: a.time.seconds, micros: 999_999)
        #expect(sub.dedupKey == a.dedupKey, "the deciding line's time counts in whole seconds")
        var later = a
        later.time = LogTime(seconds: a.time.seconds + 1)
        #expect(later.dedupKey != a.dedupKey, "a reused queue id bounces at another time")
    }

    /// A reader that saw the whole history of a message (headers, Message-ID, first line) and one that only saw
    /// its last line must give a bounce the same identity, or a daemon and a backfill store it twice.
    @Test func dedupKeyDoesNotDependOnHowMuchHistoryWasSeen() {
        let full = Self.outcome()
        var partial = full
        partial.messageID = nil
        partial.firstSeen = full.time
        partial.campaignUUID = nil
        partial.subscriberUUID = nil
        partial.sender = nil
        #expect(partial.dedupKey == full.dedupKey)
    }

    @Test func jsonEscaping() {
        var b = EventBuilder()
        let ev = TF.attempt("Q", to: "x@example.com", .bounced, diag: "say \"no\"\\\n\ttab\u{0}nul\u{1}é")
        let e = b.build(Self.outcome(evidence: ev), classification: TF.classification())
        #expect(e.webhookJSON().contains(#""diagnostic":"say \"no\"\\\n\ttab\#u{FFFD}nul\u0001é""#))
    }

    @Test func failureEvidenceUsesTheOutcomeStatus() {
        let o = Self.outcome(
            kind: .expired,
            evidence: TF.attempt(
                "Q", to: "x@Example.com", .deferred, remoteHost: "MX.example.com", code: 452, diag: "quota"))
        let f = o.failureEvidence
        #expect(f.status == .expired)
        #expect(f.replyCode == 452)
        #expect(f.remoteHost == "mx.example.com")
        #expect(f.recipientDomain == "example.com")
        let none = Self.outcome(kind: .expired, evidence: nil).failureEvidence
        #expect(none.diagnostic == "" && none.status == .expired)
    }
}

@Suite("RFC 3339")
struct TrackingRFC3339Tests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (951_827_696, "2000-02-29T12:34:56Z"),
        (1_709_251_199, "2024-02-29T23:59:59Z"),
        (1_709_251_200, "2024-03-01T00:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
        (13_574_563_200, "2400-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (-2_203_977_600, "1900-02-28T00:00:00Z"),
        (1_795_651_200, "2026-11-26T00:00:00Z"),
    ])
    func wholeSeconds(seconds: Int64, text: String) {
        #expect(RFC3339.format(LogTime(seconds: seconds)) == text)
        #expect(RFC3339.parse(text) == LogTime(seconds: seconds))
    }

    @Test func fractions() {
        #expect(RFC3339.format(LogTime(seconds: 1_709_251_199, micros: 500_000)) == "2024-02-29T23:59:59.500000Z")
        #expect(RFC3339.format(LogTime(seconds: 0, micros: 1)) == "1970-01-01T00:00:00.000001Z")
        #expect(RFC3339.format(LogTime(microseconds: -1)) == "1969-12-31T23:59:59.999999Z")
        #expect(RFC3339.parse("2024-02-29T23:59:59.5Z") == LogTime(seconds: 1_709_251_199, micros: 500_000))
        #expect(RFC3339.parse("2024-02-29T23:59:59.1234567Z") == LogTime(seconds: 1_709_251_199, micros: 123_456))
        #expect(RFC3339.parse("2024-03-01T01:00:00+01:00") == LogTime(seconds: 1_709_251_200))
        #expect(RFC3339.parse("2024-02-29T18:30:00-05:30") == LogTime(seconds: 1_709_251_200))
    }

    @Test func rejectsMalformed() {
        for bad in [
            "", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-02-29T24:00:00Z", "2024-02-29T00:00:00",
            "2024-02-29T00:00:00.Z", "2024-02-29T00:00:00+0100", "2024-2-29T00:00:00Z", "2024-02-29T00:00:00Zx",
        ] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func everyDayOfFourCenturiesRoundTrips() {
        var previous: (Int64, Int64, Int64)?
        var wrong: [Int64] = []
        for day in Int64(-80_000)...Int64(80_000) {
            let (y, m, d) = RFC3339.civil(fromDays: day)
            var ok = RFC3339.days(fromCivil: y, m, d) == day && d >= 1 && d <= RFC3339.daysIn(month: m, year: y)
            if let (py, pm, pd) = previous {
                let next =
                    pd == RFC3339.daysIn(month: pm, year: py)
                    ? (pm == 12 ? (py + 1, 1, 1) : (py, pm + 1, 1)) : (py, pm, pd + 1)
                ok = ok && next == (y, m, d)
            }
            if !ok { wrong.append(day) }
            previous = (y, m, d)
        }
        #expect(wrong.isEmpty)
    }
}
