import BounceCore
import Foundation
import Testing

@testable import BounceStore

@Suite("Opening, migrations, file mode, parent directory")
struct OpenAndMigrateTests {
    @Test func migratesFromEmptyAndReopensWithoutReapplying() throws {
        let dir = TempDir()
        let clock = TestClock()
        do {
            let db = try openDB(dir.file(), clock: clock)
            #expect(try db.schemaVersion == StateDB.supportedSchemaVersion)
        }
        let db = try openDB(dir.file(), clock: clock)
        #expect(try db.schemaVersion == StateDB.supportedSchemaVersion)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM schema_migrations") == Int64(Schema.migrations.count))
        for table in ["kv", "source_positions", "tracker_state", "dedup_keys", "outbox", "bounces", "delivery_lease"] {
            #expect(
                try count(dir.file(), "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '\(table)'")
                    == 1)
        }
        #expect(try db.quickCheck() == ["ok"])
        let c = try SQLiteConnection(path: dir.file())
        #expect(try c.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try c.scalarInt("PRAGMA auto_vacuum") == 2)  // INCREMENTAL
    }

    /// A backfill's connection gets a larger page cache and fewer checkpoints, and nothing else changes:
    /// `synchronous` stays FULL. Without the options, SQLite's defaults.
    @Test func bulkOptionsSetCacheAndCheckpointButKeepSynchronous() throws {
        let dir = TempDir()
        var options = StateDBOptions()
        options.cacheKiB = 65_536
        options.walAutocheckpointPages = 16_384
        let bulk = try StateDB(path: dir.file("bulk.db"), options: options)
        let tuned = try bulk.withConnection { c in
            (
                try c.scalarInt("PRAGMA cache_size"), try c.scalarInt("PRAGMA wal_autocheckpoint"),
                try c.scalarInt("PRAGMA synchronous")
            )
        }
        #expect(tuned.0 == -65_536)
        #expect(tuned.1 == 16_384)
        #expect(tuned.2 == 2)  // FULL
        let plain = try StateDB(path: dir.file("plain.db"))
        let defaults = try plain.withConnection { c in
            (
                try c.scalarInt("PRAGMA cache_size"), try c.scalarInt("PRAGMA wal_autocheckpoint"),
                try c.scalarInt("PRAGMA synchronous")
            )
        }
        #expect(defaults.0 == -2000)
        #expect(defaults.1 == 1000)
        #expect(defaults.2 == 2)
    }

    /// A one-shot writer's close leaves its commits in the WAL (no checkpoint, no syncs at close) and they
    /// are all there for the next opener; `synchronous` stays FULL. The default close checkpoints and
    /// removes the WAL.
    @Test func oneShotCloseKeepsTheWALAndEveryCommit() throws {
        let dir = TempDir()
        var options = StateDBOptions()
        options.checkpointOnClose = false
        for n in 1...3 {
            let db = try StateDB(path: dir.file(), options: options)
            #expect(try db.withConnection { c in try c.scalarInt("PRAGMA synchronous") } == 2)  // FULL
            try db.addToCounters(["mail.ingested": 1])
            #expect(try db.counters(prefix: "mail.")["mail.ingested"] == n)
        }
        let wal = try FileManager.default.attributesOfItem(atPath: dir.file() + "-wal")[.size] as? Int ?? 0
        #expect(wal > 0, "the WAL was checkpointed and removed at close")
        // Another process's view of the file (a fresh connection) has all three commits.
        let c = try SQLiteConnection(path: dir.file())
        #expect(try c.scalarInt("SELECT CAST(value AS INTEGER) FROM kv WHERE key = 'count.mail.ingested'") == 3)

        let plain = TempDir()
        do {
            let db = try StateDB(path: plain.file())
            try db.addToCounters(["mail.ingested": 1])
        }
        #expect(!FileManager.default.fileExists(atPath: plain.file() + "-wal"))
    }

    /// Without a long-lived connection the WAL would only grow (each process rebuilds its index and sees
    /// nothing copied back); past the checkpoint size a one-shot close copies it back and truncates it.
    @Test func oneShotCloseTruncatesALargeWAL() throws {
        let dir = TempDir()
        var options = StateDBOptions()
        options.checkpointOnClose = false
        options.walAutocheckpointPages = 2
        for n in 1...4 {
            let db = try StateDB(path: dir.file(), options: options)
            try db.addToCounters(["mail.ingested": 1, "mail.kind.bounce.\(n)": n])
        }
        let size = try FileManager.default.attributesOfItem(atPath: dir.file() + "-wal")[.size] as? Int
        #expect(size == 0, "the WAL was not truncated")
        let c = try SQLiteConnection(path: dir.file())
        #expect(try c.scalarInt("SELECT CAST(value AS INTEGER) FROM kv WHERE key = 'count.mail.ingested'") == 4)
        #expect(try c.scalarText("PRAGMA integrity_check") == "ok")
    }

    @Test func refusesASchemaNewerThanTheBinary() throws {
        let dir = TempDir()
        let clock = TestClock()
        _ = try openDB(dir.file(), clock: clock)
        let c = try SQLiteConnection(path: dir.file())
        try c.run("INSERT INTO schema_migrations (version, description, applied_at) VALUES (999, 'future', 0)")
        #expect {
            _ = try openDB(dir.file(), clock: clock)
        } throws: { error in
            guard let e = error as? StateDBError else { return false }
            return e.kind == .newerSchema && e.message.contains("999") && e.message.contains("newer bouncetail")
        }
    }

    @Test func fileAndWALHaveMode0600() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [makeEvent(1)]))
        for file in [dir.file(), dir.file() + "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode == 0o600, "mode of \(file) is \(String(mode, radix: 8))")
        }
    }

    @Test func tightensAnExistingWorldReadableFile() throws {
        let dir = TempDir()
        #expect(
            FileManager.default.createFile(atPath: dir.file(), contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try openDB(dir.file(), clock: TestClock())
        let mode = (try FileManager.default.attributesOfItem(atPath: dir.file())[.posixPermissions] as? NSNumber)?
            .intValue
        #expect(mode == 0o600)
    }

    @Test func createsMissingParentDirectories() throws {
        let dir = TempDir()
        let path = dir.path + "/var/lib/bouncetail/state.db"
        _ = try openDB(path, clock: TestClock())
        #expect(FileManager.default.fileExists(atPath: path))
        let mode =
            (try FileManager.default.attributesOfItem(atPath: dir.path + "/var/lib/bouncetail")[.posixPermissions]
            as? NSNumber)?.intValue
        #expect(mode == 0o700)
    }

    @Test func parentThatCannotBeCreatedGivesAClearError() throws {
        let dir = TempDir()
        // A regular file where a directory should be: fails for root too, unlike a permission test.
        #expect(FileManager.default.createFile(atPath: dir.file("blocker"), contents: Data("x".utf8)))
        let path = dir.file("blocker") + "/sub/state.db"
        #expect {
            _ = try openDB(path, clock: TestClock())
        } throws: { error in
            guard let e = error as? StateDBError else { return false }
            return e.kind == .cannotCreateDirectory && e.message.contains(dir.file("blocker") + "/sub")
                && e.message.contains("create it yourself")
        }
        let direct = dir.file("blocker") + "/state.db"
        #expect {
            _ = try openDB(direct, clock: TestClock())
        } throws: { error in
            (error as? StateDBError)?.kind == .cannotCreateDirectory
                && "\(error)".contains("is a file, not a directory")
        }
    }

    @Test func corruptFileGivesAClearError() throws {
        let dir = TempDir()
        var garbage = [UInt8](repeating: 0, count: 8192)
        for i in garbage.indices { garbage[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
        #expect(FileManager.default.createFile(atPath: dir.file(), contents: Data(garbage)))
        #expect {
            _ = try openDB(dir.file(), clock: TestClock())
        } throws: { error in
            guard let e = error as? StateDBError else { return false }
            return e.kind == .corrupt && e.message.contains(dir.file()) && e.message.contains("move it aside")
                && e.message.contains("backfill can rebuild it")
        }
    }

    @Test func lockedDatabaseGivesAClearErrorAfterTheBusyTimeout() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock, busyMilliseconds: 50)
        let other = try SQLiteConnection(path: dir.file())
        try other.execute("BEGIN EXCLUSIVE")
        try other.run("INSERT INTO kv (key, value, updated_at) VALUES ('x', 'y', 0)")
        #expect {
            try db.commit(
                Batch(positions: [SourcePosition(sourceID: "/var/log/mail.log", offset: 10)], events: [makeEvent(1)]))
        } throws: { error in
            guard let e = error as? StateDBError else { return false }
            return e.kind == .locked && e.message.contains(dir.file())
                && e.message.contains("is another bouncetail running?")
        }
        try other.execute("ROLLBACK")
        // Once the lock is gone the same commit goes through: nothing was half-written.
        let result = try db.commit(
            Batch(positions: [SourcePosition(sourceID: "/var/log/mail.log", offset: 10)], events: [makeEvent(1)]))
        #expect(result.inserted == 1)
    }

    @Test func uncommittedTransactionIsInvisibleAfterClose() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(Batch(positions: [SourcePosition(sourceID: "src", offset: 5)]))
        do {
            let c = try SQLiteConnection(path: dir.file())
            try c.execute("BEGIN IMMEDIATE")
            try c.run("UPDATE source_positions SET offset = 999 WHERE source_id = 'src'")
            try c.run(
                "INSERT INTO outbox (dedup_key, state, body, email, reason, type, fault, action, mta_host, remote_domain, created_at, enqueued_at, next_attempt_at) VALUES ('k', 'pending', '{}', 'a@b', 'r', 'hard', 'recipient', 'forward', 'h', 'b', 0, 0, 0)"
            )
            // The connection goes away here without COMMIT, as in a crash between statements.
        }
        let reopened = try openDB(dir.file(), clock: clock)
        #expect(try reopened.position(of: "src")?.offset == 5)
        #expect(try reopened.status().pending == 0)
    }

    @Test func keyValueTable() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        #expect(try db.value(forKey: "a") == nil)
        try db.setValue("1", forKey: "a")
        try db.setValue("2", forKey: "a")
        #expect(try db.value(forKey: "a") == "2")
        try db.setValue(nil, forKey: "a")
        #expect(try db.value(forKey: "a") == nil)
    }

    @Test func diskWatermark() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let free = try DiskWatermark.freeBytes(at: dir.file())
        #expect(free > 0)
        #expect(!(try db.diskWatermark(minimumBytes: 0).isLow))
        let low = try db.diskWatermark(minimumBytes: UInt64.max)
        #expect(low.isLow)
        #expect(low.message?.contains("reading is paused") == true)
        #expect(low.message?.contains(dir.file()) == true)
    }

    @Test func rfc3339RoundTrip() {
        #expect(Timestamps.parseRFC3339("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamps.parseRFC3339("2026-11-26T16:21:54Z") == 1_795_710_114_000_000)
        #expect(Timestamps.parseRFC3339("2026-11-26T16:21:54.5Z") == 1_795_710_114_500_000)
        #expect(Timestamps.parseRFC3339("2026-11-26T17:21:54+01:00") == 1_795_710_114_000_000)
        #expect(Timestamps.parseRFC3339("2026-11-26 16:21") == nil)
        #expect(Timestamps.formatRFC3339(micros: 1_795_710_114_000_000) == "2026-11-26T16:21:54Z")
        #expect(Timestamps.formatRFC3339(micros: 1_795_710_114_000_123) == "2026-11-26T16:21:54.000123Z")
    }
}
