import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// `backfill` opens its database as a one-shot bulk writer: closing leaves the WAL (every frame synced) to the
/// next writer's checkpoint instead of copying it back after the last commit. Nothing committed may depend on
/// that copy: the next opener sees every bounce and position, and reading the same file again adds nothing.
@Suite struct BackfillCloseTests {
    static func backfill(_ log: String, state: String, oneShot: Bool = true) throws -> BackfillSummary {
        let config = SampleBackfillTests.config(state: state)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let db = try StateDatabase.open(state, bulk: true, oneShot: oneShot)
        let runner = BackfillRunner(
            pipeline: pipeline, db: db, sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
        return try runner.run(inputs: [log], emit: { _ in })
    }

    static func stored(_ state: String) throws -> (bounces: Int, positions: Int) {
        let c = try SQLiteConnection(path: state)
        c.setBusyTimeout(milliseconds: 5_000)
        return (
            Int(try c.scalarInt("SELECT COUNT(*) FROM bounces") ?? -1),
            Int(try c.scalarInt("SELECT COUNT(*) FROM source_positions") ?? -1)
        )
    }

    @Test func aBackfillLeavesItsSyncedWALAndTheNextOpenerSeesEveryCommit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-close-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = SampleBackfillTests.repo.appendingPathComponent("samples/postfix-mail.log").path
        let oneShot = dir.appendingPathComponent("one-shot.db").path
        let plain = dir.appendingPathComponent("plain.db").path

        let first = try Self.backfill(log, state: oneShot)
        #expect(first.newEvents > 0)
        let wal = try FileManager.default.attributesOfItem(atPath: oneShot + "-wal")[.size] as? Int ?? 0
        #expect(wal > 0, "the close copied the WAL back: the serial work this change removes")

        // The same backfill into a database closed the default way (checkpointed) stores the same. (Whether its
        // WAL is gone yet is not asserted: the committing thread may release the database a moment later.)
        _ = try Self.backfill(log, state: plain, oneShot: false)
        let expected = try Self.stored(plain)
        #expect(expected.bounces > 0 && expected.positions > 0)
        #expect(try Self.stored(oneShot) == expected)

        // Read again with the commits still only in the WAL: nothing is added twice.
        let again = try Self.backfill(log, state: oneShot)
        #expect(again.newEvents == 0)
        #expect(again.duplicates == first.newEvents || again.files == 0)
        #expect(try Self.stored(oneShot) == expected)
    }
}
