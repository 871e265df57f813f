import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// Schema version 6: a batch's new outcomes are appended to `outcome_deltas`, which readers add to `outcome_counts`
/// and which folds add to it in key order. The report's answers never depend on what was folded.
@Suite struct OutcomeDeltasTests {
    /// A delivery `n` of one day (`day` 0 or 1 after 2026-11-26), with one of three domains and campaigns.
    static func delivery(_ n: Int, day: Int = 0) -> OutcomeTally {
        OutcomeTally(
            kind: .delivered, host: "mail1", mta: .postfix, queueID: "Q\(n)", recipient: "r\(n)@d\(n % 3).example",
            campaignUUID: n % 5 == 0 ? nil : "c\(n % 3)",
            time: LogTime(microseconds: (1_795_710_114 + Int64(day) * 86_400) * 1_000_000 + Int64(n)))
    }

    static func queries(_ db: StateDB) throws -> [[OutcomeCount]] {
        let d = OutcomeCountsTests.day26
        return [
            try db.outcomeCounts(), try db.outcomeCounts(.init(fromDay: d + 1)),
            try db.outcomeCounts(.init(toDay: d + 1)),
            try db.outcomeCounts(.init(domain: "D1.example")), try db.outcomeCounts(.init(campaign: "c2")),
            try db.outcomeCounts(.init(campaign: "")),
        ]
    }

    @Test func theReportReadsTheSameBeforeAndAfterAFold() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        // Cells met in several batches, two days, events too.
        for b in 0..<4 {
            try db.commit(
                Batch(
                    events: [makeEvent(b)], tallies: (0..<50).map { Self.delivery(b * 50 + $0, day: $0 % 2) }))
        }
        let before = try Self.queries(db)
        #expect(before[0].reduce(0) { $0 + ($1.outcome == .delivered ? $1.count : 0) } == 200)
        #expect(before[0].first { $0.outcome == .hard }?.count == 4)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outcome_counts") == 0)
        let waiting = try count(dir.file(), "SELECT COUNT(*) FROM outcome_deltas")
        #expect(waiting > Int64(before[0].count), "a cell met in several batches waits in several rows")
        #expect(try db.foldOutcomeCounts() == Int(waiting))
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outcome_deltas") == 0)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outcome_counts") == Int64(before[0].count))
        #expect(try Self.queries(db) == before)
        // More after the fold: added to the folded rows, and folded into them.
        try db.commit(Batch(tallies: (0..<50).map { Self.delivery(1_000 + $0) }))
        let more = try Self.queries(db)
        #expect(more[0].reduce(0) { $0 + $1.count } == before[0].reduce(0) { $0 + $1.count } + 50)
        try db.foldOutcomeCounts()
        #expect(try Self.queries(db) == more)
    }

    @Test func aCommitFoldsTheOldestRowsPastTheLimit() throws {
        let dir = TempDir()
        var options = StateDBOptions()
        options.outcomeDeltaLimit = 1_500
        let db = try StateDB(path: dir.file(), options: options)
        // Each batch: 600 cells of their own (a campaign per message, the generator's worst case).
        func batch(_ b: Int) -> Batch {
            Batch(
                tallies: (0..<600).map { i in
                    var t = Self.delivery(b * 600 + i)
                    t.campaignUUID = "campaign-\(b * 600 + i)"
                    return t
                })
        }
        var most: Int64 = 0
        for b in 0..<10 {
            try db.commit(batch(b))
            let waiting = try count(dir.file(), "SELECT COUNT(*) FROM outcome_deltas")
            most = max(most, waiting)
            #expect(waiting <= 1_500 + 600)
        }
        #expect(most > 1_500 - 600, "the limit was never reached")
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outcome_counts") > 0)
        #expect(try db.outcomeCounts().reduce(0) { $0 + $1.count } == 6_000)
        #expect(try db.outcomeCounts().count == 6_000)
    }

    @Test func retentionPrunesCountsThatWaitUnfolded() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(tallies: (0..<10).map { Self.delivery($0, day: $0 % 2) }))
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outcome_counts") == 0)
        #expect(try db.pruneCounts(beforeDay: OutcomeCountsTests.day26 + 1, chunk: 2) > 0)
        let left = try db.outcomeCounts()
        #expect(left.allSatisfy { $0.day == OutcomeCountsTests.day26 + 1 })
        #expect(left.reduce(0) { $0 + $1.count } == 5)
        // The pruned day is never counted again (its claims are gone with it, its day is behind the cutoff).
        #expect(try db.commit(Batch(tallies: (0..<10).map { Self.delivery($0, day: $0 % 2) })).counted == 0)
        #expect(try db.outcomeCounts().reduce(0) { $0 + $1.count } == 5)
    }

    /// A batch's claims are looked up by runs of close seconds: outcomes hours apart in one batch, one of them claimed
    /// before, another twice in the batch, are each found or claimed once.
    @Test func claimsOfDistantTimesInOneBatchAreEachFoundOnce() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        func at(_ n: Int, _ seconds: Int64) -> OutcomeTally {
            var t = Self.delivery(n)
            t.time = LogTime(microseconds: t.time.microseconds + seconds * 1_000_000)
            return t
        }
        #expect(try db.commit(Batch(tallies: [at(1, 3_600)])).counted == 1)
        let batch = Batch(tallies: [at(2, 0), at(3, 7_200), at(1, 3_600), at(4, 61), at(2, 0), at(5, 3_660)])
        #expect(try db.commit(batch).counted == 4)
        #expect(try db.commit(batch).counted == 0)
        #expect(try db.commit(group: [batch, Batch(tallies: [at(6, 3_601)])]).map(\.counted) == [0, 1])
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outcome_claims") == 6)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 6)
        #expect(try db.outcomeCounts().reduce(0) { $0 + $1.count } == 6)
    }

    /// More rows than one multi-row statement takes, and texts that are empty, NULL or not ASCII: each
    /// stored as given (an empty text bound from the appender's buffer must stay a text, not become NULL).
    @Test func theMultiRowInsertsStoreEveryValueAsGiven() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        func tally(_ n: Int) -> OutcomeTally {
            let campaign: String? = n % 3 == 0 ? "" : (n % 3 == 1 ? nil : "c-\(n)")
            let messageID: String? = n % 2 == 0 ? nil : "m\(n)@x"
            let subscriber: String = n % 2 == 0 ? "s\(n)" : ""
            let micros: Int64 = 1_795_710_114_000_000 + Int64(n)
            return OutcomeTally(
                kind: .delivered, host: "mail1", mta: .postfix, queueID: "Q\(n)", recipient: "ré\(n)@example.org",
                campaignUUID: campaign, time: LogTime(microseconds: micros), messageID: messageID,
                subscriberUUID: subscriber)
        }
        let tallies = (0..<150).map(tally)
        try db.commit(Batch(tallies: tallies))
        var seen = 0
        try SQLiteConnection(path: dir.file()).prepare(
            "SELECT queue_id, recipient, campaign_uuid, message_id, subscriber_uuid, at FROM sent_log ORDER BY id"
        ).query { row in
            let t = tallies[seen]
            #expect(row.text(0) == t.queueID && row.text(1) == t.recipient)
            #expect(row.optionalText(2) == t.campaignUUID)
            #expect(row.optionalText(3) == t.messageID)
            #expect(row.optionalText(4) == t.subscriberUUID)
            #expect(row.int64(5) == t.time.microseconds)
            seen += 1
        }
        #expect(seen == 150)
        let cells = try db.outcomeCounts()
        #expect(cells.reduce(0) { $0 + $1.count } == 150)
        // 150 rows went in statements of 64, 64, 16, 4 and 2 rows; 95 more in 64, 16, 8, 4, 2 and 1.
        let more = (150..<245).map(tally)  // 95: 64, 16, 8, 4, 2, 1
        try db.commit(Batch(tallies: more))
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 245)
        #expect(cells.filter { $0.campaign == "" }.reduce(0) { $0 + $1.count } == 100)
    }
}
