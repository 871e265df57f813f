import Testing

@testable import BounceCore

@Suite("MessageTracker deferred-too-long policy, eviction, sender filter")
struct TrackingPolicyTests {
    @Test func deferredTooLongEmitsOnceOnARecordAndNothingAtTheFinalOutcome() {
        var tr = TF.tracker { $0.deferredTooLongAfter = TrackerOptions.day }
        let out = TF.run(
            &tr,
            [
                TF.queued("L1", at: 0),
                TF.deferred("L1", to: "q@example.com", diag: "first", at: 0),
                TF.deferred("L1", to: "q@example.com", diag: "after 12h", at: 12 * 3600),
                TF.deferred("L1", to: "q@example.com", diag: "after 25h", at: 25 * 3600),
                TF.deferred("L1", to: "q@example.com", diag: "after 30h", at: 30 * 3600),
                TF.expired("L1", at: 5 * 86400),
                TF.removed("L1", at: 5 * 86400),
            ])
        #expect(out.count == 1)
        #expect(out[0].kind == .deferredTooLong)
        #expect(out[0].evidence?.diagnostic == "after 25h")
        #expect(out[0].time == TF.t(25 * 3600))
        #expect(out[0].dedupKey.hasSuffix("|deferred"))
        #expect(tr.counters.suppressedRepeats == 1)
    }

    @Test func deferredTooLongByTickThenBouncedGivesNothingMore() {
        var tr = TF.tracker { $0.deferredTooLongAfter = TrackerOptions.day }
        _ = TF.run(&tr, [TF.queued("L2", at: 0), TF.deferred("L2", to: "q@example.com", diag: "full", at: 0)])
        #expect(tr.tick(now: TF.t(3600)).isEmpty)
        let ticked = tr.tick(now: TF.t(86400))
        #expect(ticked.count == 1)
        #expect(ticked.first?.time == TF.t(86400))
        #expect(ticked.first?.evidence?.diagnostic == "full")
        #expect(tr.tick(now: TF.t(2 * 86400)).isEmpty, "once only")
        let later = TF.run(&tr, [TF.bounced550("L2", to: "q@example.com", at: 2 * 86400)])
        #expect(later.isEmpty)
    }

    @Test func withoutThePolicyTickEmitsNothing() {
        var tr = TF.tracker()
        _ = TF.run(&tr, [TF.deferred("L3", diag: "x", at: 0)])
        #expect(tr.tick(now: TF.t(6 * 86400)).isEmpty)
        #expect(tr.messageCount == 1)
    }

    @Test func countIsBoundedLeastRecentlySeenFirst() {
        var tr = TF.tracker { $0.maxMessages = 10 }
        for i in 0..<3 { _ = tr.ingest(TF.queued("Q\(i)", at: Int64(i))) }
        _ = tr.drainChanges()  // Q0...Q2 now have rows
        for i in 3..<25 { _ = tr.ingest(TF.queued("Q\(i)", at: Int64(i))) }
        #expect(tr.messageCount <= 10)
        #expect(tr.counters.evictedByCount >= 15)
        let changes = tr.drainChanges()
        #expect(changes.deleted.contains(MessageTracker.key(host: TF.host, mta: .postfix, queueID: "Q0")))
        // Evicted before it was ever drained: it has no row to delete.
        #expect(!changes.deleted.contains(MessageTracker.key(host: TF.host, mta: .postfix, queueID: "Q3")))
        #expect(changes.upserted[MessageTracker.key(host: TF.host, mta: .postfix, queueID: "Q24")] != nil)
        #expect(changes.upserted.keys.allSatisfy { !changes.deleted.contains($0) })
    }

    @Test func ageEvictionByExplicitCallAndByTick() {
        var tr = TF.tracker { $0.maxAge = 2 * TrackerOptions.day }
        _ = TF.run(&tr, [TF.queued("A1", at: 0), TF.queued("A2", at: 86400), TF.queued("A3", at: 3 * 86400)])
        #expect(tr.evict(olderThan: TF.t(3600)) == 1)
        #expect(tr.messageCount == 2)
        _ = tr.tick(now: TF.t(3 * 86400 + 3600))
        #expect(tr.messageCount == 1, "A2 is older than two days at now")
        #expect(tr.counters.evictedByAge == 2)
        // An evicted message's later lines start a new state.
        let out = TF.run(&tr, [TF.bounced550("A1", at: 3 * 86400 + 7200)])
        #expect(out.first?.sender == nil)
    }

    @Test func senderFilterDropsPersonalMailAndCountsIt() {
        var tr = TF.tracker { $0.senderFilter = SenderFilter(patterns: ["@lists.example.org"]) }
        var lines = [
            TF.queued("S1", from: "alice@example.net", at: 0), TF.bounced550("S1", at: 1),
            TF.queued("S2", from: TF.list, at: 0), TF.bounced550("S2", at: 1),
            TF.queued("S3", from: "bob@example.net", at: 0),
        ]
        lines += TF.listmonkHeaders("S3", at: 0)
        lines += [TF.bounced550("S3", at: 1)]
        let out = TF.run(&tr, lines)
        #expect(out.map(\.queueID) == ["S2", "S3"], "listmonk headers let S3 through")
        #expect(tr.counters.filtered == 1)
    }

    @Test func requireListmonkHeaders() {
        var tr = TF.tracker { $0.senderFilter = SenderFilter(patterns: [], requireListmonkHeaders: true) }
        var lines = [TF.queued("S4", at: 0), TF.bounced550("S4", at: 1)]
        lines += TF.listmonkHeaders("S5", at: 0)
        lines += [TF.bounced550("S5", at: 1)]
        let out = TF.run(&tr, lines)
        #expect(out.map(\.queueID) == ["S5"])
        #expect(tr.counters.filtered == 1)
    }

    @Test func senderFilterPatterns() {
        let f = SenderFilter(patterns: [
            "news@lists.example.org", "example.com", "@corp.example", "bounces+*@mail.example.net", "  ",
        ])
        #expect(f.matches("NEWS@lists.example.org"))
        #expect(!f.matches("other@lists.example.org"))
        #expect(f.matches("a@example.com"))
        #expect(f.matches("a@sub.example.com"))
        #expect(!f.matches("a@notexample.com"))
        #expect(f.matches("x@corp.example"))
        #expect(f.matches("bounces+abc-123@mail.example.net"))
        #expect(!f.matches("bounces@mail.example.net"))
        #expect(!f.matches(nil))
        #expect(!f.matches(""))
        #expect(f.accepts(sender: "x@y.z", hasListmonkHeaders: true))
        #expect(!f.accepts(sender: "x@y.z", hasListmonkHeaders: false))
        #expect(SenderFilter(patterns: []).accepts(sender: nil, hasListmonkHeaders: false), "no patterns: filter off")
        let strict = SenderFilter(patterns: ["example.com"], requireListmonkHeaders: true)
        #expect(!strict.accepts(sender: "a@example.com", hasListmonkHeaders: false))
        #expect(!strict.accepts(sender: "a@other.org", hasListmonkHeaders: true))
        #expect(strict.accepts(sender: "a@example.com", hasListmonkHeaders: true))
    }

    @Test func globMatcher() {
        func g(_ p: String, _ t: String) -> Bool { SenderFilter.glob(Array(p.utf8), Array(t.utf8)) }
        #expect(g("*", ""))
        #expect(g("a*b*c", "aXXbYYc"))
        #expect(!g("a*b*c", "aXXbYY"))
        #expect(g("*@x.org", "me@x.org"))
        #expect(!g("*@x.org", "me@x.orgs"))
        #expect(g("a**b", "ab"))
    }

    @Test func deliveriesAreRecordedOnlyWhenAsked() {
        var off = TF.tracker()
        _ = TF.run(&off, [TF.sent("D1", to: "a@example.com", at: 0)])
        #expect(off.drainDeliveries().isEmpty)
        var on = TF.tracker { $0.recordDeliveries = true }
        _ = TF.run(
            &on,
            [
                TF.sent("D1", to: "A@Example.com", orig: "Orig@Example.com", at: 5),
                TF.sent("D2", to: "f@example.com", relay: "127.0.0.1[127.0.0.1]:10024", queuedAs: "D3", at: 6),
            ])
        let d = on.drainDeliveries()
        #expect(d == [SuccessfulDelivery(address: "orig@example.com", time: TF.t(5), mta: .postfix, queueID: "D1")])
        #expect(on.drainDeliveries().isEmpty)
    }
}
