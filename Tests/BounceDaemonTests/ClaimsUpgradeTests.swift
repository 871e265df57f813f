import BounceClassifier
import BounceCore
import Foundation
import Testing

@testable import BounceDaemon
@testable import BounceStore

/// Schema version 5 files the outcome claims by log time (`outcome_claims`) instead of by the hash alone
/// (`outcome_keys`). A state database of version 4, written by main at 100e98b (`Tests/Fixtures/schema-v4-100e98b`,
/// `scripts/make-v4-fixture.sh`), keeps its claims where they are: reading the same lines again after the upgrade
/// counts nothing twice, and today's code on a fresh database counts what main counted.
@Suite struct ClaimsUpgradeTests {
    static let repo = SampleBackfillTests.repo
    static let fixture = repo.appendingPathComponent("Tests/Fixtures/schema-v4-100e98b/state.db").path
    /// The logs' mtime when the fixture was made (the year of Postfix's year-less timestamps).
    static let mtime = Date(timeIntervalSince1970: 1_795_737_600)  // 2026-11-27T00:00:00Z
    static let samples = [("postfix-mail.log", "mail.log"), ("exim-mainlog", "mainlog")]

    static func config(state: String) -> BounceTailConfig {
        var c = SampleBackfillTests.config(state: state)
        c.general.hostName = "mail"
        return c
    }

    static func backfill(_ inputs: [String], state: String) throws -> BackfillSummary {
        let config = config(state: state)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let runner = BackfillRunner(
            pipeline: pipeline, db: try StateDB(path: state), sink: .localStore, timeZone: .utc,
            maxLineLength: 1 << 20)
        return try runner.run(inputs: inputs, emit: { _ in })
    }

    /// The samples as rotated files named `<name><suffix>`; with `marked`, each begins with a line that is no mail
    /// log line, so that its content (and fingerprint) differs from a copy read before: every line is read again.
    static func copies(in dir: URL, suffix: String, marked: Bool) throws -> [String] {
        try samples.map { sample, name in
            var text = try String(contentsOf: repo.appendingPathComponent("samples/\(sample)"), encoding: .utf8)
            if marked { text = "Nov 26 00:00:00 mail kernel: read again\n" + text }
            let path = dir.appendingPathComponent(name + suffix).path
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path)
            return path
        }
    }

    /// The outcome counts as the report reads them: since schema version 6 those not folded yet
    /// (`outcome_deltas`) are added to `outcome_counts`'.
    static func counts(_ path: String) throws -> [String] {
        let c = try SQLiteConnection(path: path)
        // The backfill's database may still be closing on its committing thread (its checkpoint locks briefly).
        c.setBusyTimeout(milliseconds: 5_000)
        let deltas = try c.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'outcome_deltas'") == 1
        let sql =
            deltas
            ? """
            SELECT day, host, domain, campaign, outcome, SUM(n) FROM (
                SELECT day, host, domain, campaign, outcome, n FROM outcome_counts
                UNION ALL SELECT day, host, domain, campaign, outcome, n FROM outcome_deltas)
            GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
            """
            : "SELECT day, host, domain, campaign, outcome, n FROM outcome_counts ORDER BY 1, 2, 3, 4, 5"
        var rows: [String] = []
        try c.prepare(sql).query { row in rows.append((0..<6).map { row.text($0) }.joined(separator: "|")) }
        return rows
    }

    static func rows(_ path: String, _ table: String) throws -> Int64 {
        try SQLiteConnection(path: path).scalarInt("SELECT COUNT(*) FROM \(table)") ?? -1
    }

    /// Every row of `table`, each column `quote()`d by SQLite (blobs as hex), in primary-key order: a text that
    /// differs when any value does.
    static func dump(_ path: String, _ table: String) throws -> [String] {
        let c = try SQLiteConnection(path: path)
        var columns: [String] = []
        try c.prepare("SELECT name FROM pragma_table_info('\(table)') ORDER BY cid").query {
            columns.append($0.text(0))
        }
        var rows: [String] = []
        let select = columns.map { "quote(\($0))" }.joined(separator: " || '|' || ")
        try c.prepare("SELECT \(select) FROM \(table) ORDER BY 1").query { rows.append($0.text(0)) }
        return rows
    }

    @Test func theUpgradeKeepsEveryMessageInFlightPositionAndOutboxRow() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bt-v5-upgrade-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        try fm.copyItem(atPath: Self.fixture, toPath: state)
        let tables = ["tracker_state", "source_positions", "outbox", "bounces", "dedup_keys", "sent_index"]
        var before: [String: [String]] = [:]
        for t in tables { before[t] = try Self.dump(state, t) }
        #expect(try SQLiteConnection(path: state).scalarInt("SELECT MAX(version) FROM schema_migrations") == 4)
        // The fixture holds what the upgrade must keep: messages in flight, a position per log, outbox rows.
        #expect((before["tracker_state"]?.count ?? 0) > 0)
        #expect(before["source_positions"]?.count == 2)
        #expect((before["outbox"]?.count ?? 0) > 0)

        let db = try StateDB(path: state)
        #expect(try db.schemaVersion == Schema.latestVersion)
        for t in tables { #expect(try Self.dump(state, t) == before[t], "\(t) changed by the upgrade") }

        // Every message in flight comes back into the tracker.
        let restored = try Self.restoreMessages(db, state: state)
        #expect(restored.rejected.isEmpty)
        #expect(restored.stored == 27)
        #expect(restored.tracked == restored.stored)
    }

    /// Restores `db`'s tracker state into a fresh pipeline: the keys it rejected, the messages in flight stored
    /// in `tracker_state`, and how many the tracker then holds.
    static func restoreMessages(_ db: StateDB, state: String) throws -> (rejected: [String], stored: Int, tracked: Int)
    {
        let config = Self.config(state: state)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        var rejected: [String] = []
        try pipeline.restoreState(from: db) { key, _ in rejected.append(key) }
        // Rows whose last part begins with `~` are the tracker's per-domain and per-host records, not messages.
        let stored = try SQLiteConnection(path: state).scalarInt(
            "SELECT COUNT(*) FROM tracker_state WHERE key NOT LIKE '%|~%'")
        return (rejected, Int(stored ?? -1), pipeline.tracker.messageCount)
    }

    @Test func claimsMadeBeforeTheUpgradeStillCountEachOutcomeOnce() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bt-claims-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        try fm.copyItem(atPath: Self.fixture, toPath: state)
        let mainCounts = try Self.counts(state)
        let legacyKeys = try Self.rows(state, "outcome_keys")
        #expect(legacyKeys > 0 && !mainCounts.isEmpty)

        // Opened by today's code: the latest version, the old claims kept, nothing recounted.
        let db = try StateDB(path: state)
        #expect(try db.schemaVersion == Schema.latestVersion)
        #expect(try Self.rows(state, "outcome_keys") == legacyKeys)
        #expect(try Self.rows(state, "outcome_claims") == 0)

        // The same lines again, under other names and with other fingerprints: every outcome is found among the
        // claims main made; no count moves, no claim is added, no bounce is new.
        let again = try Self.backfill(try Self.copies(in: dir, suffix: ".2", marked: true), state: state)
        #expect(again.lines > 0 && again.newEvents == 0)
        #expect(try Self.counts(state) == mainCounts)
        #expect(try Self.rows(state, "outcome_claims") == 0)

        // Today's code on a fresh database counts what main counted, with its claims in outcome_claims only, and
        // counts nothing twice when the same lines come again under another name.
        let fresh = dir.appendingPathComponent("fresh.db").path
        _ = try Self.backfill(try Self.copies(in: dir, suffix: ".1", marked: false), state: fresh)
        #expect(try Self.counts(fresh) == mainCounts)
        #expect(try Self.rows(fresh, "outcome_keys") == 0)
        #expect(try Self.rows(fresh, "outcome_claims") == legacyKeys)
        let reread = try Self.backfill(try Self.copies(in: dir, suffix: ".3", marked: true), state: fresh)
        #expect(reread.lines > 0 && reread.newEvents == 0)
        #expect(try Self.counts(fresh) == mainCounts)
        #expect(try Self.rows(fresh, "outcome_claims") == legacyKeys)

        // Retention takes old claims from both tables.
        let far = StateDB.day(ofMicros: Int64(Date().timeIntervalSince1970 * 1_000_000)) + 10_000
        #expect(try db.pruneCounts(beforeDay: far, chunk: 7) > 0)
        #expect(try Self.rows(state, "outcome_keys") == 0)
        let freshDB = try StateDB(path: fresh)
        #expect(try freshDB.pruneCounts(beforeDay: far, chunk: 7) > 0)
        #expect(try Self.rows(fresh, "outcome_claims") == 0)
    }
}
