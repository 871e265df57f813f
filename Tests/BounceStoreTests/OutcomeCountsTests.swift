import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// The outcome counts follow the outcome identity: read again, nothing changes; committed with the batch;
/// pruned with the retention, after which the pruned days are never counted again.
@Suite struct OutcomeCountsTests {
    static let day26 = StateDB.day(ofMicros: 1_795_710_114_000_000)  // 2026-11-26

    static func tally(
        _ kind: OutcomeTally.Kind, _ n: Int, host: String = "mail1", domain: String = "example.org",
        at: String = "2026-11-26T16:21:54Z"
    ) -> OutcomeTally {
        OutcomeTally(
            kind: kind, host: host, mta: .postfix, queueID: "D\(n)", recipient: "r\(n)@\(domain)",
            campaignUUID: "9f1c2d3e-0000-4000-8000-000000000001", time: RFC3339.parse(at)!)
    }

    static func totals(_ db: StateDB) throws -> [OutcomeClass: Int] {
        try db.outcomeCounts().reduce(into: [:]) { $0[$1.outcome, default: 0] += $1.count }
    }

    @Test func eventsAndTalliesAreCountedOnceEach() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let batch = Batch(
            events: [
                makeEvent(1), makeEvent(2),
                makeEvent(3, email: "blocked@outlook.example", action: .hold, fault: .sender, reason: "blocked"),
            ],
            tallies: (1...5).map { Self.tally(.delivered, $0) } + [Self.tally(.deferred, 9)])
        let first = try db.commit(batch)
        #expect(first.counted == 9)
        let expected: [OutcomeClass: Int] = [.delivered: 5, .hard: 2, .soft: 1, .held: 1, .deferred: 1]
        #expect(try Self.totals(db) == expected)

        // The same lines read again (a second backfill, the journal after the file): nothing changes.
        let again = try db.commit(batch)
        #expect(again.counted == 0)
        #expect(again.duplicates == 3)
        #expect(try Self.totals(db) == expected)

        // Keyed by day, host, domain and campaign.
        let rows = try db.outcomeCounts()
        let held = try #require(rows.first { $0.outcome == .held })
        #expect(held.domain == "outlook.example" && held.host == "mail1" && held.day == Self.day26)
        #expect(held.campaign == "9f1c2d3e-0000-4000-8000-000000000001")
        #expect(
            try db.outcomeCounts(OutcomeCountQuery(domain: "OUTLOOK.example")).map(\.outcome).sorted {
                $0.rawValue < $1.rawValue
            } == [.held, .soft])
    }

    @Test func theSameDeliveryOnAnotherHostIsAnotherOutcome() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(tallies: [Self.tally(.delivered, 1, host: "mx1"), Self.tally(.delivered, 1, host: "mx2")]))
        let rows = try db.outcomeCounts()
        #expect(rows.map(\.host).sorted() == ["mx1", "mx2"])
        #expect(rows.allSatisfy { $0.count == 1 })
    }

    @Test func aFailedBatchCountsNothing() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        var options = StateDBOptions()
        options.clock = TestClock().closure
        options.bodyEncoder = { _ in throw CocoaError(.coderInvalidValue) }
        let failing = try StateDB(path: dir.file(), options: options)
        #expect(throws: (any Error).self) {
            try failing.commit(Batch(events: [makeEvent(1)], tallies: [Self.tally(.delivered, 1)]))
        }
        #expect(try db.outcomeCounts().isEmpty)
        // And the identities were not claimed: the retried batch counts them.
        #expect(try db.commit(Batch(events: [makeEvent(1)], tallies: [Self.tally(.delivered, 1)])).counted == 2)
    }

    @Test func pruningDropsOldDaysAndNeverCountsThemAgain() throws {
        let dir = TempDir()
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_710_114 + 40 * 86_400))  // 40 days after Nov 26
        let db = try openDB(dir.file(), clock: clock)
        let old = Batch(
            tallies: [Self.tally(.delivered, 1), Self.tally(.delivered, 2, at: "2027-01-04T10:00:00Z")],
            facts: [
                RuntimeFact(kind: .guardTripped, at: Date(timeIntervalSince1970: 1_795_708_800), subject: "x.example")
            ])
        try db.commit(old)
        #expect(try db.facts().count == 1)
        let pruned = try db.prune(RetentionPolicy(countsAge: 30 * 86_400))
        #expect(pruned.countRows == 3)  // one count row, one key, one fact
        #expect(try db.outcomeCounts().map(\.count) == [1])
        #expect(try db.facts().isEmpty)
        // Re-reading the old log: the pruned day stays empty rather than half counted.
        #expect(try db.commit(old).counted == 0)
        #expect(try db.outcomeCounts().map(\.count) == [1])
    }

    @Test func factsAreRecordedOnceAndSelectedByTime() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let t0 = Date(timeIntervalSince1970: 1_795_700_000)
        let facts = [
            RuntimeFact(kind: .deliveryPaused, at: t0, subject: "listmonk answered 403", status: 403, detail: "d"),
            RuntimeFact(kind: .deliveryResumed, at: t0.addingTimeInterval(600), subject: ""),
        ]
        try db.record(facts)
        try db.record(facts)
        #expect(try db.facts() == facts)
        #expect(try db.facts(since: t0.addingTimeInterval(1)).map(\.kind) == [.deliveryResumed])
        #expect(try db.facts(until: t0.addingTimeInterval(1)).map(\.status) == [403])
    }

    @Test func dayBoundariesAreUTC() {
        #expect(StateDB.day(ofMicros: 0) == 0)
        #expect(StateDB.day(ofMicros: 86_400_000_000 - 1) == 0)
        #expect(StateDB.day(ofMicros: -1) == -1)
        #expect(OutcomeIdentityHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        // The published FNV-1a test vector for "a".
        #expect(OutcomeIdentityHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
    }

    /// The claim of a delivery or deferral hashes its identity without building it: the same hash as the identity's
    /// text, for escaped parts, times before 1970, and parts that are not ASCII (where escaping works on
    /// Characters: a `|` with a combining mark is one Character and is not escaped).
    @Test func aTallysHashIsTheHashOfItsIdentity() {
        let times: [Int64] = [1_795_710_114_000_000, 1_795_710_114_999_999, 0, -1, -1_000_001]
        let hosts = ["mail1", "mx|1", "a%b", "", "h\u{00e9}te", "x|\u{0301}y"]
        let recipients = [
            "r@example.org", "p|q@example.org", "100%@example.org", "j\u{00fc}rgen@example.de", "|\u{0301}@x",
        ]
        var tallies: [OutcomeTally] = []
        for kind in OutcomeTally.Kind.allCases {
            for (i, host) in hosts.enumerated() {
                for (j, rcpt) in recipients.enumerated() {
                    tallies.append(
                        OutcomeTally(
                            kind: kind, host: host, mta: i % 2 == 0 ? .postfix : .exim,
                            queueID: j % 2 == 0 ? "4C1|23" : "Q%\(j)",
                            recipient: rcpt, campaignUUID: nil,
                            time: LogTime(microseconds: times[(i + j) % times.count])))
                }
            }
        }
        for t in tallies {
            #expect(OutcomeIdentityHash.of(t) == OutcomeIdentityHash.fnv1a64(t.identity), "\(t.identity)")
        }
        #expect(Set(tallies.map(OutcomeIdentityHash.of)).count == Set(tallies.map(\.identity)).count)
    }
}

/// When a host gets another identity (an alias added, the upgrade to per-host identities), its counts follow.
@Suite struct OutcomeCountsRehostTests {
    static func event(host: String) -> BounceEvent {
        var e = makeEvent(1)
        e.meta.host = host
        e.dedupKey = "v2|\(host)|postfix|Q1|a:1795710114|user1@example.org|bounced"
        return e
    }

    @Test func countsMoveToTheNewHostAndTheBounceIsNotCountedAgain() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(
            Batch(
                events: [Self.event(host: "Mail1")], tallies: [OutcomeCountsTests.tally(.delivered, 1, host: "mail1")]))
        let result = try db.rehostIdentities(fingerprint: "aliases-1") { $0.lowercased() }
        #expect(result.renamed == ["Mail1": "mail1"])
        let rows = try db.outcomeCounts()
        #expect(Set(rows.map(\.host)) == ["mail1"])
        #expect(rows.first { $0.outcome == .hard }?.count == 1)
        #expect(rows.first { $0.outcome == .delivered }?.count == 1)
        // The same line read again, now under its new identity: known, not counted.
        let again = try db.commit(Batch(events: [Self.event(host: "mail1")]))
        #expect(again.duplicates == 1 && again.counted == 0)
        #expect(try db.outcomeCounts().first { $0.outcome == .hard }?.count == 1)
    }
}
