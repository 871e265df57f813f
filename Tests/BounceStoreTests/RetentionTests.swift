import BounceCore
import Foundation
import Testing

@testable import BounceStore

@Suite("Retention")
struct RetentionTests {
    @Test func prunesOnlyFinishedStateOlderThanItsAge() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        let policy = RetentionPolicy(
            sentAge: 10 * 86_400, dedupKeyAge: 100 * 86_400, trackerAge: 7 * 86_400, chunkSize: 7)

        // Old: 50 sent, 1 pending, 1 held, 1 dead, stale tracker state.
        try db.commit(
            Batch(
                trackerUpserts: [(key: "old", bytes: [1])],
                events: (1...53).map { makeEvent($0) } + [makeEvent(54, action: .hold, fault: .sender)]))
        let claimed = try db.claimDue(limit: 53)
        for row in claimed.prefix(50) { try db.markSent(row.id, status: 200) }
        try db.moveToDead(claimed[50].id, status: 400, body: "x", error: "x")
        try db.scheduleRetry(claimed[51].id, at: clock.now, error: "x", status: 500)
        try db.markSent(claimed[52].id, status: 200)
        clock.advance(11 * 86_400)
        // New: 1 sent, fresh tracker state.
        try db.commit(Batch(trackerUpserts: [(key: "new", bytes: [2])], events: [makeEvent(100)]))
        let fresh = try db.claimDue(limit: 10).first { $0.email == "user100@example.org" }!
        try db.markSent(fresh.id, status: 200)

        let first = try db.prune(policy)
        #expect(first.sentRows == 51)
        #expect(first.trackerRows == 1)
        #expect(first.dedupKeys == 0)  // too young
        let status = try db.status()
        #expect(status.sent == 1 && status.pending == 1 && status.held == 1 && status.dead == 1)
        #expect(try db.allTrackerState().map(\.key) == ["new"])

        // Much later: keys of pruned rows go, keys still used by pending/held/dead rows stay.
        clock.advance(101 * 86_400)
        let second = try db.prune(policy)
        #expect(second.sentRows == 1)
        #expect(second.dedupKeys == 52)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM dedup_keys") == 3)
        #expect(try db.isKnown(dedupKey: makeEvent(54).dedupKey))
    }

    @Test func databaseShrinksAfterPruning() throws {
        let dir = TempDir()
        let clock = TestClock()
        // NORMAL: 2,000 single-row updates with an fsync each would only make this test slow.
        let db = try openDB(dir.file(), clock: clock, synchronous: .normal)
        for chunk in 0..<20 {
            try db.commit(Batch(events: (0..<100).map { makeEvent(chunk * 100 + $0) }))
        }
        while true {
            let rows = try db.claimDue(limit: 500)
            if rows.isEmpty { break }
            for row in rows { try db.markSent(row.id) }
        }
        let before = try db.size()
        clock.advance(500 * 86_400)
        let result = try db.prune(RetentionPolicy())
        #expect(result.sentRows == 2_000 && result.dedupKeys == 2_000)
        #expect(result.pagesFreed > 0)
        let after = try db.size()
        #expect(after.pageCount < before.pageCount)
        #expect(after.freePages == 0)
        let walSize = (try FileManager.default.attributesOfItem(atPath: dir.file() + "-wal")[.size] as? NSNumber)?
            .intValue
        #expect(walSize == 0)
    }
}
