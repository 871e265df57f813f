import Testing

@testable import BounceCore

/// The spike guard alone: fed deliveries and hard bounces on a log clock, no sleeping.
@Suite struct HardBounceGuardTests {
    /// 2026-11-26 10:00:00 UTC plus `minutes` and `seconds`.
    static func at(_ minutes: Int64, _ seconds: Int64 = 0) -> LogTime {
        LogTime(seconds: 1_795_687_200 + minutes * 60 + seconds)
    }

    /// Deliveries to `domain` at the given minutes.
    static func deliver(_ g: inout HardBounceGuard, _ domain: String, minutes: [Int64]) {
        for m in minutes { g.recordDelivery(domain: domain, at: at(m)) }
    }

    /// `count` hard bounces to `domain` every `every` seconds from `start` minutes; the decisions.
    static func bounce(
        _ g: inout HardBounceGuard, _ domain: String, count: Int, from start: Int64, every: Int64 = 10,
        reason: String = "userunknown"
    ) -> [HardBounceGuard.Decision] {
        (0..<count).map { i in
            g.recordHardBounce(domain: domain, reason: reason, at: at(start, Int64(i) * every))
        }
    }

    static func holds(_ d: [HardBounceGuard.Decision]) -> [Bool] {
        d.map { if case .hold = $0 { return true } else { return false } }
    }

    static func event(_ email: String, type: BounceType = .hard, action: ForwardAction = .forward, key: String)
        -> BounceEvent
    {
        let meta = BounceEvent.Meta(
            reason: type == .hard ? "userunknown" : "mailboxfull", fault: .recipient, action: action,
            status: "bounced", dsn: "5.1.1", replyCode: 550, smtpStage: nil, remoteHost: nil, mta: .postfix,
            host: "mx.test", queueID: "Q", messageID: nil, diagnostic: nil, rule: "r", evidence: "e", sender: nil)
        return BounceEvent(
            email: email, subscriberUUID: nil, campaignUUID: nil, source: "bouncetail", type: type,
            createdAt: "2026-11-26T10:00:00Z", meta: meta, dedupKey: key)
    }

    @Test func aDomainThatAcceptedMailTripsAtMinHardAndHoldsTheRest() throws {
        var g = HardBounceGuard()
        Self.deliver(&g, "outlook.com", minutes: [-50, -45, -44])
        let decisions = Self.bounce(&g, "outlook.com", count: 25, from: 0)
        #expect(Self.holds(decisions) == Array(repeating: false, count: 19) + Array(repeating: true, count: 6))
        guard case .hold(let reason) = decisions[19] else { Issue.record("20th not held"); return }
        #expect(reason.hasPrefix(HardBounceGuard.holdReasonPrefix))
        #expect(reason.contains("20 of 20 outcomes to outlook.com in the last 15m were hard bounces (userunknown 20)"))
        // The 20th bounce is 190 s after 10:00; the last delivery was at 09:16.
        #expect(reason.contains("last accepted mail 47m before this bounce"))
        #expect(reason.contains("outbox release --reason spike-guard"))
        let transitions = g.drainTransitions()
        #expect(transitions.map(\.kind) == [.tripped])
        #expect(transitions.first?.domain == "outlook.com")
        #expect(transitions.first?.hard == 20)
        #expect(g.trippedDomainNames == ["outlook.com"])
        #expect(g.held == 6)
    }

    @Test func aDeadDomainNeverTrips() {
        var g = HardBounceGuard()
        let decisions = Self.bounce(&g, "gone.example", count: 200, from: 0, reason: "hostunknown")
        #expect(!Self.holds(decisions).contains(true))
        #expect(g.drainTransitions().isEmpty)
    }

    @Test func aDeliveryOlderThanTheBaselineDoesNotCount() {
        var g = HardBounceGuard()
        Self.deliver(&g, "old.example", minutes: [-25 * 60])
        #expect(!Self.holds(Self.bounce(&g, "old.example", count: 40, from: 0)).contains(true))
        // The same delivery 23 hours before does.
        var h = HardBounceGuard()
        Self.deliver(&h, "old.example", minutes: [-23 * 60])
        #expect(Self.holds(Self.bounce(&h, "old.example", count: 40, from: 0)).contains(true))
    }

    @Test func deliveriesOnlyAfterTheSpikeBeganDoNotProveADomainAlive() {
        // A first campaign to a domain full of stale addresses: bounces first, a few deliveries later.
        var g = HardBounceGuard()
        _ = Self.bounce(&g, "stale.example", count: 5, from: 0)
        Self.deliver(&g, "stale.example", minutes: [1, 1])
        #expect(!Self.holds(Self.bounce(&g, "stale.example", count: 30, from: 2)).contains(true))
    }

    @Test func withinOneSecondLineOrderDecidesWhatCameBeforeTheSpike() {
        var g = HardBounceGuard()
        g.recordDelivery(domain: "same.example", at: Self.at(0))
        let decisions = (0..<20).map { _ in
            g.recordHardBounce(domain: "same.example", reason: "userunknown", at: Self.at(0))
        }
        #expect(Self.holds(decisions).last == true)
        var h = HardBounceGuard()
        _ = h.recordHardBounce(domain: "same.example", reason: "userunknown", at: Self.at(0))
        h.recordDelivery(domain: "same.example", at: Self.at(0))
        let later = (0..<25).map { _ in
            h.recordHardBounce(domain: "same.example", reason: "userunknown", at: Self.at(0))
        }
        #expect(!Self.holds(later).contains(true))
    }

    @Test func belowTheRatioNothingIsHeld() {
        var g = HardBounceGuard()
        var decisions: [HardBounceGuard.Decision] = []
        // Two deliveries for every hard bounce: a third of the outcomes are hard.
        for i in 0..<25 {
            let t = Int64(i) * 30
            g.recordDelivery(domain: "big.example", at: Self.at(0, t))
            g.recordDelivery(domain: "big.example", at: Self.at(0, t + 1))
            decisions.append(g.recordHardBounce(domain: "big.example", reason: "userunknown", at: Self.at(0, t + 2)))
        }
        #expect(!Self.holds(decisions).contains(true))
        // Exactly the ratio trips: 20 deliveries, then the 20th hard bounce makes half of 40.
        var h = HardBounceGuard()
        Self.deliver(&h, "big.example", minutes: Array(repeating: 0, count: 20))
        #expect(Self.holds(Self.bounce(&h, "big.example", count: 20, from: 1)).last == true)
    }

    @Test func belowMinHardNothingIsHeld() {
        var g = HardBounceGuard()
        Self.deliver(&g, "small.example", minutes: [-5])
        #expect(!Self.holds(Self.bounce(&g, "small.example", count: 19, from: 0)).contains(true))
        var strict = HardBounceGuard(options: HardBounceGuardOptions(minHard: 5))
        Self.deliver(&strict, "small.example", minutes: [-5])
        #expect(
            Self.holds(Self.bounce(&strict, "small.example", count: 6, from: 0)) == [
                false, false, false, false, true, true,
            ])
    }

    @Test func deliveriesResumingReleaseTheDomainOnce() {
        var g = HardBounceGuard()
        Self.deliver(&g, "outlook.com", minutes: [-10])
        _ = Self.bounce(&g, "outlook.com", count: 25, from: 0)
        #expect(g.trippedDomains == 1)
        // At 10:05 the 09:50 delivery has left the window: 25 hard bounces and 25 deliveries are
        // exactly half (still tripped); the next delivery brings the share below.
        Self.deliver(&g, "outlook.com", minutes: Array(repeating: 5, count: 25))
        #expect(g.trippedDomains == 1)
        Self.deliver(&g, "outlook.com", minutes: [5, 5, 5])
        #expect(g.trippedDomains == 0)
        let transitions = g.drainTransitions()
        #expect(transitions.map(\.kind) == [.tripped, .released])
        #expect(transitions.last?.held == 6)
        #expect(transitions.last?.description.contains("6 hard bounce(s) were held") == true)
        #expect(Self.holds(Self.bounce(&g, "outlook.com", count: 1, from: 6)) == [false])
    }

    @Test func theWindowSlides() {
        // 10 + 10 hard bounces 20 minutes apart never make 20 inside 15 minutes.
        var g = HardBounceGuard()
        Self.deliver(&g, "slow.example", minutes: [-30])
        #expect(!Self.holds(Self.bounce(&g, "slow.example", count: 10, from: 0)).contains(true))
        #expect(!Self.holds(Self.bounce(&g, "slow.example", count: 10, from: 20)).contains(true))
        // 10 minutes apart they do, at the 20th.
        var h = HardBounceGuard()
        Self.deliver(&h, "slow.example", minutes: [-30])
        _ = Self.bounce(&h, "slow.example", count: 10, from: 0)
        #expect(Self.holds(Self.bounce(&h, "slow.example", count: 10, from: 10)).last == true)
        // The clock moving on alone releases it when the window is empty.
        h.advance(to: Self.at(40))
        #expect(h.trippedDomains == 0)
        #expect(h.drainTransitions().map(\.kind) == [.tripped, .released])
    }

    @Test func aTrippedDomainIsReleasedByTheNextOutcomeAfterAQuietWindow() {
        var g = HardBounceGuard()
        Self.deliver(&g, "outlook.com", minutes: [-10])
        _ = Self.bounce(&g, "outlook.com", count: 20, from: 0)
        #expect(g.trippedDomains == 1)
        // No advance: an hour later, one hard bounce alone is not a spike.
        #expect(Self.holds(Self.bounce(&g, "outlook.com", count: 1, from: 60)) == [false])
        #expect(g.drainTransitions().map(\.kind) == [.tripped, .released])
    }

    @Test func outcomesReadLateFromAnotherSourceStillCount() {
        var g = HardBounceGuard()
        _ = Self.bounce(&g, "late.example", count: 10, from: 0)
        // A delivery of 09:30 arrives from a slower source: too old for the window, but proof enough.
        g.recordDelivery(domain: "late.example", at: Self.at(-30))
        // A bounce of 09:58 still lands inside the window.
        _ = g.recordHardBounce(domain: "late.example", reason: "userunknown", at: Self.at(-2))
        let decisions = Self.bounce(&g, "late.example", count: 10, from: 2)
        #expect(Self.holds(decisions) == Array(repeating: false, count: 8) + [true, true])
    }

    @Test func oneLineWithAWrongYearDoesNotAgeOtherDomainsOut() {
        var g = HardBounceGuard()
        Self.deliver(&g, "gmx.de", minutes: [-10])
        g.advance(to: Self.at(-9))
        // A host whose clock was a year ahead logs one delivery; the reader is still at 09:55.
        g.recordDelivery(domain: "wrong-clock.example", at: Self.at(365 * 24 * 60))
        g.advance(to: Self.at(-5))
        #expect(g.trackedDomains == 2)
        #expect(Self.holds(Self.bounce(&g, "gmx.de", count: 20, from: 0)).last == true)
    }

    @Test func advancingToAPositionBeforeADomainsOutcomesKeepsItTripped() {
        var g = HardBounceGuard()
        Self.deliver(&g, "outlook.com", minutes: [-10])
        _ = Self.bounce(&g, "outlook.com", count: 20, from: 0)
        #expect(g.trippedDomains == 1)
        g.advance(to: Self.at(1))
        #expect(g.trippedDomains == 1)
        #expect(Self.holds(Self.bounce(&g, "outlook.com", count: 3, from: 4)) == [true, true, true])
        #expect(g.drainTransitions().map(\.kind) == [.tripped])
    }

    @Test func domainsAreIndependent() {
        var g = HardBounceGuard()
        Self.deliver(&g, "outlook.com", minutes: [-10])
        Self.deliver(&g, "gmail.com", minutes: [-10])
        _ = Self.bounce(&g, "outlook.com", count: 25, from: 0)
        #expect(!Self.holds(Self.bounce(&g, "gmail.com", count: 19, from: 0)).contains(true))
        #expect(g.trippedDomainNames == ["outlook.com"])
    }

    @Test func softEventsAreIgnoredAndOnlyForwardedHardOnesAreChanged() {
        var g = HardBounceGuard()
        g.recordDelivery(SuccessfulDelivery(address: "a@outlook.com", time: Self.at(-10), mta: .postfix, queueID: "Q"))
        for i in 0..<30 {
            var e = Self.event("u\(i)@outlook.com", type: .soft, key: "s\(i)")
            #expect(!g.apply(to: &e, at: Self.at(0, Int64(i))))
            #expect(e.meta.action == .forward)
        }
        #expect(g.trippedDomains == 0)
        // Already-held hard bounces count for the domain but keep their own hold.
        for i in 0..<19 {
            var e = Self.event("h\(i)@Outlook.com", action: .hold, key: "h\(i)")
            #expect(!g.apply(to: &e, at: Self.at(1, Int64(i))))
            #expect(e.meta.holdReason == nil)
        }
        var e = Self.event("x@outlook.com", key: "x")
        #expect(g.apply(to: &e, at: Self.at(2)))
        #expect(e.meta.action == .hold)
        #expect(HardBounceGuard.isGuardHold(e))
        #expect(g.held == 1)
        #expect(HardBounceGuard.outboxHolds(for: [e, Self.event("y@outlook.com", key: "y")]) == ["x": "spike-guard"])
    }

    @Test func memoryIsBoundedByTheDomainCap() {
        var g = HardBounceGuard(options: HardBounceGuardOptions(maxDomains: 100))
        Self.deliver(&g, "tripped.example", minutes: [-10])
        _ = Self.bounce(&g, "tripped.example", count: 20, from: 0)
        for i in 0..<1000 {
            g.recordDelivery(domain: "d\(i).example", at: Self.at(4, Int64(i) / 10))
            #expect(g.trackedDomains <= 100)
        }
        #expect(g.evictedByCount >= 900)
        // The tripped domain is kept; the most recent domains are remembered (they can trip).
        #expect(g.trippedDomainNames == ["tripped.example"])
        #expect(Self.holds(Self.bounce(&g, "d999.example", count: 20, from: 6)).last == true)
        #expect(!Self.holds(Self.bounce(&g, "d0.example", count: 20, from: 6)).contains(true))
    }

    @Test func idleDomainsAreForgottenAfterTheBaseline() {
        var g = HardBounceGuard()
        for i in 0..<50 { g.recordDelivery(domain: "d\(i).example", at: Self.at(0)) }
        #expect(g.trackedDomains == 50)
        g.advance(to: Self.at(23 * 60))
        #expect(g.trackedDomains == 50)
        g.advance(to: Self.at(24 * 60 + 30))
        #expect(g.trackedDomains == 0)
    }

    @Test func reasonNamesPerBucketAreBounded() {
        var g = HardBounceGuard(options: HardBounceGuardOptions(minHard: 12))
        Self.deliver(&g, "many.example", minutes: [-10])
        var last: HardBounceGuard.Decision = .pass
        for i in 0..<12 { last = g.recordHardBounce(domain: "many.example", reason: "r\(i)", at: Self.at(0, Int64(i))) }
        guard case .hold(let reason) = last else { Issue.record("not held"); return }
        #expect(reason.contains("other"))
        #expect(reason.contains("12 of 13 outcomes"))
    }

    @Test func addressesGiveTheirDomain() {
        #expect(AddressDomain.of("A@Outlook.COM") == "outlook.com")
        #expect(AddressDomain.of("\"a@b\"@example.org") == "example.org")
        #expect(AddressDomain.of("nobody") == nil)
        #expect(AddressDomain.of("nobody@") == nil)
    }
}
