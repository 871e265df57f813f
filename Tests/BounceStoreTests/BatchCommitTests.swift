import BounceCore
import Foundation
import Synchronization
import Testing

@testable import BounceStore

@Suite("Batch commit: atomicity, dedup, holds, local store")
struct BatchCommitTests {
    @Test func commitWritesPositionsTrackerAndOutbox() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let position = SourcePosition(
            sourceID: "/var/log/mail.log", fingerprint: [1, 2, 3], fingerprintLength: 1024, device: 64769,
            inode: UInt64(Int64.max) + 5, offset: 4096)
        let result = try db.commit(
            Batch(
                positions: [
                    position, SourcePosition(sourceID: "journal", journalCursor: "s=abc;i=1", journalRealtime: 42),
                ],
                trackerUpserts: [(key: "mail1|Q1", bytes: [9, 9]), (key: "mail1|Q2", bytes: [])],
                events: [makeEvent(1), makeEvent(2)]))
        #expect(result == BatchResult(inserted: 2, duplicates: 0, held: 0, storedLocally: 0, counted: 2))
        let stored = try #require(try db.position(of: "/var/log/mail.log"))
        #expect(stored.fingerprint == [1, 2, 3] && stored.device == 64769 && stored.inode == UInt64(Int64.max) + 5)
        #expect(stored.offset == 4096 && stored.fingerprintLength == 1024)
        #expect(try db.position(of: "journal")?.journalCursor == "s=abc;i=1")
        #expect(try db.position(of: "journal")?.journalRealtime == 42)
        #expect(try db.positions().count == 2)
        #expect(try db.trackerState(forKey: "mail1|Q1") == [9, 9])
        #expect(try db.trackerState(forKey: "mail1|Q2") == [])
        let rows = try db.list(OutboxQuery(states: [.pending]))
        #expect(rows.map(\.email) == ["user1@example.org", "user2@example.org"])
        let row = rows[0]
        #expect(
            row.reason == "userunknown" && row.type == "hard" && row.fault == "recipient" && row.action == "forward")
        #expect(row.mtaHost == "mail1" && row.remoteDomain == "example.org" && row.kind == "event")
        #expect(row.createdAt == Date(timeIntervalSince1970: 1_795_710_114))
        // The body is the event's JSON.
        let body = try JSONSerialization.jsonObject(with: Data(row.body.utf8)) as? [String: Any]
        #expect(body?["email"] as? String == "user1@example.org")
        #expect((body?["meta"] as? [String: Any])?["reason"] as? String == "userunknown")

        try db.commit(Batch(trackerDeletes: ["mail1|Q1"]))
        #expect(try db.trackerState(forKey: "mail1|Q1") == nil)
        #expect(try db.allTrackerState().map(\.key) == ["mail1|Q2"])
    }

    @Test func aFailingStatementMidBatchLeavesEverythingUnchanged() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(
            Batch(
                positions: [SourcePosition(sourceID: "src", offset: 100)], trackerUpserts: [(key: "t1", bytes: [1])],
                events: [makeEvent(1)]))
        // A real SQL failure on the outbox insert of the second event of the next batch.
        let raw = try SQLiteConnection(path: dir.file())
        try raw.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON outbox WHEN NEW.email = 'boom@example.org' BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
        #expect(throws: StateDBError.self) {
            try db.commit(
                Batch(
                    positions: [
                        SourcePosition(sourceID: "src", offset: 200), SourcePosition(sourceID: "other", offset: 1),
                    ],
                    trackerUpserts: [(key: "t1", bytes: [2]), (key: "t2", bytes: [2])], trackerDeletes: [],
                    events: [makeEvent(2), makeEvent(3, email: "boom@example.org")]))
        }
        #expect(try db.position(of: "src")?.offset == 100)
        #expect(try db.position(of: "other") == nil)
        #expect(try db.trackerState(forKey: "t1") == [1])
        #expect(try db.trackerState(forKey: "t2") == nil)
        #expect(try db.status().pending == 1)
        #expect(try db.isKnown(dedupKey: makeEvent(2).dedupKey) == false)
        // The same batch commits once the cause is gone, with nothing counted as a duplicate.
        try raw.execute("DROP TRIGGER boom")
        let retry = try db.commit(
            Batch(
                positions: [SourcePosition(sourceID: "src", offset: 200)],
                events: [makeEvent(2), makeEvent(3, email: "boom@example.org")]))
        #expect(retry.inserted == 2 && retry.duplicates == 0)
    }

    @Test func anEncodingFailureMidBatchRollsBackToo() throws {
        struct Refused: Error {}
        let dir = TempDir()
        var options = StateDBOptions()
        options.bodyEncoder = { event in
            if event.email == "bad@example.org" { throw Refused() }
            return try StateDBOptions.defaultBodyEncoder(event)
        }
        let db = try StateDB(path: dir.file(), options: options)
        #expect {
            try db.commit(
                Batch(
                    positions: [SourcePosition(sourceID: "src", offset: 9)],
                    events: [makeEvent(1), makeEvent(2, email: "bad@example.org")]))
        } throws: { error in
            (error as? StateDBError)?.kind == .encoding
        }
        #expect(try db.position(of: "src") == nil)
        #expect(try db.status().pending == 0)
        #expect(try db.isKnown(dedupKey: makeEvent(1).dedupKey) == false)
    }

    @Test func sameKeyTwiceIsOneRow() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        let first = try db.commit(Batch(events: [makeEvent(1), makeEvent(1), makeEvent(2)]))
        #expect(first == BatchResult(inserted: 2, duplicates: 1, counted: 2))
        // Another process (a backfill beside `run`) reading the same lines.
        let other = try openDB(dir.file(), clock: clock)
        let second = try other.commit(Batch(events: [makeEvent(2), makeEvent(3)]))
        #expect(second == BatchResult(inserted: 1, duplicates: 1, counted: 1))
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outbox") == 3)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outbox WHERE dedup_key = '\(makeEvent(1).dedupKey)'") == 1)
    }

    @Test func twoWritersOverlappingAtOnceEnqueueEachEventOnce() throws {
        let dir = TempDir()
        let clock = TestClock()
        // A backfill and `run` on the same file, each with its own connection and thread, reading
        // overlapping ranges: 0..<600 and 300..<900.
        let a = try openDB(dir.file(), clock: clock, busyMilliseconds: 10_000, synchronous: .normal)
        let b = try openDB(dir.file(), clock: clock, busyMilliseconds: 10_000, synchronous: .normal)
        let results = Mutex<[BatchResult]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            let db = worker == 0 ? a : b
            let base = worker == 0 ? 0 : 300
            for chunk in 0..<30 {
                let events = (0..<20).map { makeEvent(base + chunk * 20 + $0) }
                do {
                    let r = try db.commit(
                        Batch(positions: [SourcePosition(sourceID: "w\(worker)", offset: Int64(chunk))], events: events)
                    )
                    results.withLock { $0.append(r) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = results.withLock { $0 }
        #expect(all.reduce(0) { $0 + $1.inserted } == 900)
        #expect(all.reduce(0) { $0 + $1.duplicates } == 300)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outbox") == 900)
        #expect(try count(dir.file(), "SELECT COUNT(DISTINCT dedup_key) FROM outbox") == 900)
    }

    @Test func aKeyStaysKnownAfterItsRowIsGone() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(Batch(events: [makeEvent(1)]))
        let row = try #require(try db.claimDue(limit: 1).first)
        try db.markSent(row.id, status: 200)
        clock.advance(31 * 86_400)
        #expect(try db.prune(RetentionPolicy()).sentRows == 1)
        #expect(try db.status().sent == 0)
        #expect(try db.commit(Batch(events: [makeEvent(1)])) == BatchResult(inserted: 0, duplicates: 1))
    }

    @Test func heldEventsGoInHeld() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let result = try db.commit(
            Batch(
                events: [makeEvent(1, action: .hold, fault: .sender, reason: "blocked"), makeEvent(2), makeEvent(3)],
                holds: [makeEvent(3).dedupKey: "too-old"]))
        #expect(result == BatchResult(inserted: 3, duplicates: 0, held: 2, counted: 3))
        let held = try db.list(OutboxQuery(states: [.held]))
        #expect(held.map(\.holdReason) == ["sender-fault", "too-old"])
        #expect(try db.claimDue(limit: 10).map(\.email) == ["user2@example.org"])
    }

    @Test func localStoreSinkWritesBouncesInTheSameTransaction() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let result = try db.commit(
            Batch(
                positions: [SourcePosition(sourceID: "src", offset: 7)],
                events: [makeEvent(1), makeEvent(2, action: .hold, fault: .sender, reason: "blocked"), makeEvent(1)],
                sink: .localStore))
        #expect(result == BatchResult(inserted: 2, duplicates: 1, held: 1, storedLocally: 1, counted: 2))
        #expect(try db.storedBounces().map(\.email) == ["user1@example.org"])
        #expect(try db.status().held == 1)
        #expect(try db.status().pending == 0)
        // Releasing into the local store turns the held row into a bounces row.
        #expect(try db.releaseHeld(reason: "blocked", sink: .localStore) == 1)
        let stored = try db.storedBounces()
        #expect(stored.map(\.email) == ["user1@example.org", "user2@example.org"])
        #expect(stored[1].meta.contains("\"reason\":\"blocked\""))
        #expect(stored[1].campaignUUID == "9f1c2d3e-0000-4000-8000-000000000001")
        #expect(try db.status().held == 0)
    }
}
