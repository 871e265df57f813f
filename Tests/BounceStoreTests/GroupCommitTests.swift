import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// Several batches in one transaction (``StateDB/commit(group:)``, the backfill's committing stage): the same
/// results and the same rows as one transaction per batch, and all or nothing.
@Suite struct GroupCommitTests {
    static func tally(_ n: Int, at seconds: Int64) -> OutcomeTally {
        OutcomeTally(
            kind: .delivered, host: "mail1", mta: .postfix, queueID: "D\(n)", recipient: "r\(n)@example.org",
            campaignUUID: "9f1c2d3e-0000-4000-8000-00000000000\(n % 3)",
            time: LogTime(microseconds: seconds * 1_000_000), messageID: "m\(n)@list.example.com")
    }

    /// Three batches that overlap: an event and a delivery of the first come again in the second, a tracker row
    /// written by the first is rewritten by the second and deleted by the third, the position moves on.
    static let batches: [Batch] = [
        Batch(
            positions: [SourcePosition(sourceID: "src", offset: 100)],
            trackerUpserts: [(key: "t1", bytes: [1]), (key: "t2", bytes: [2])],
            events: [makeEvent(1), makeEvent(2)], tallies: [tally(1, at: 1_795_710_000), tally(2, at: 1_795_710_001)]),
        Batch(
            positions: [SourcePosition(sourceID: "src", offset: 200)], trackerUpserts: [(key: "t1", bytes: [3])],
            events: [makeEvent(2), makeEvent(3)],
            tallies: [tally(2, at: 1_795_710_001), tally(3, at: 1_795_710_002), tally(4, at: 1_795_800_000)]),
        Batch(
            positions: [SourcePosition(sourceID: "src", offset: 300)], trackerDeletes: ["t2"],
            events: [makeEvent(1), makeEvent(4)], tallies: [tally(5, at: 1_795_800_001)]),
    ]

    /// Every row a batch writes, table by table, in a stable order.
    static func dump(_ path: String) throws -> [String: [String]] {
        let c = try SQLiteConnection(path: path)
        var out: [String: [String]] = [:]
        for (table, sql) in [
            ("positions", "SELECT source_id, offset FROM source_positions ORDER BY 1"),
            ("tracker", "SELECT key, hex(value) FROM tracker_state ORDER BY 1"),
            ("dedup", "SELECT dedup_key, log_time FROM dedup_keys ORDER BY 1"),
            ("outbox", "SELECT dedup_key, state, email, body FROM outbox ORDER BY 1"),
            ("counts", summedOutcomeCountsSQL),
            ("sent", "SELECT host, queue_id, recipient, message_id, at, qkey, mkey FROM sent_log ORDER BY 1, 2, 3, 5"),
            ("joins", "SELECT join_key, dedup_key, origin FROM bounce_joins ORDER BY 1"),
        ] {
            var rows: [String] = []
            try c.prepare(sql).query { row in
                rows.append((0..<row.columnCount).map { row.text($0) }.joined(separator: "|"))
            }
            out[table] = rows
        }
        return out
    }

    @Test func aGroupWritesWhatItsBatchesWriteOneByOne() throws {
        let dir = TempDir()
        let one = try openDB(dir.file("one.db"), clock: TestClock())
        let separate = try Self.batches.map { try one.commit($0) }
        let group = try openDB(dir.file("group.db"), clock: TestClock())
        let together = try group.commit(group: Self.batches)
        #expect(together == separate)
        // The second batch's repeated event and delivery were found by the first's writes in the same transaction.
        #expect(together[1].duplicates == 1 && together[2].duplicates == 1)
        #expect(together.map(\.counted) == [4, 3, 2])
        let a = try Self.dump(dir.file("one.db"))
        let b = try Self.dump(dir.file("group.db"))
        #expect(a == b)
        #expect(a["positions"] == ["src|300"])
        #expect(a["tracker"] == ["t1|03"])
        #expect(a["sent"]?.count == 5)
    }

    /// A failure in the last batch of a group leaves nothing of the group, the first batch's position and
    /// events included: each position stays in the transaction of its events.
    @Test func aFailingBatchRollsTheWholeGroupBack() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(positions: [SourcePosition(sourceID: "src", offset: 10)], events: [makeEvent(9)]))
        let raw = try SQLiteConnection(path: dir.file())
        try raw.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON outbox WHEN NEW.email = 'user4@example.org' "
                + "BEGIN SELECT RAISE(ABORT, 'boom'); END")
        #expect(throws: StateDBError.self) { try db.commit(group: Self.batches) }
        #expect(try db.position(of: "src")?.offset == 10)
        #expect(try db.allTrackerState().isEmpty)
        #expect(try db.isKnown(dedupKey: makeEvent(1).dedupKey) == false)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 0)
        #expect(try outcomeTotal(dir.file(), "delivered") == 0)
        try raw.execute("DROP TRIGGER boom")
        let retry = try db.commit(group: Self.batches)
        #expect(retry.map(\.inserted) == [2, 1, 1])
    }
}
