import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// The backfill's two stages: the bounded hand-off between the reading thread and the committing one, and
/// an interrupted backfill that commits only what it processed although the reader had read ahead.
@Suite struct BackfillStagesTests {
    @Test func itemsComeOutInOrderAndNilAfterTheProducerFinished() {
        let handOff = BoundedHandOff<Int>(capacity: 2)
        let producer = Thread {
            for i in 0..<50 { _ = handOff.put(i) }
            handOff.finish()
        }
        producer.start()
        var got: [Int] = []
        while let i = handOff.take() { got.append(i) }
        #expect(got == Array(0..<50))
        #expect(handOff.take() == nil)
    }

    /// A consumer that stops after one item: the producer never got more than the bound ahead, and its
    /// blocked `put` returns false so that it stops, and `waitUntilFinished` returns.
    @Test func closingStopsAProducerThatIsAtMostTheBoundAhead() {
        let handOff = BoundedHandOff<Int>(capacity: 2)
        let accepted = BoundedHandOff<Int>(capacity: 1)
        let producer = Thread {
            var n = 0
            for i in 0..<1000 {
                guard handOff.put(i) else { break }
                n += 1
            }
            _ = accepted.put(n)
            handOff.finish()
        }
        producer.start()
        #expect(handOff.take() == 0)
        handOff.close()
        handOff.waitUntilFinished()
        let n = accepted.take() ?? -1
        // One taken and at most two waiting: the producer was stopped, not left to read 1,000 items.
        #expect(n >= 1 && n <= 3)
    }

    /// Lines given back come out empty with their storage kept (the reading thread refills it in place);
    /// at most `capacity` wait, and with none waiting a fresh empty box comes out.
    @Test func spentLinesComeBackEmptyWithTheirCapacity() {
        let spent = SpentLines(capacity: 2)
        let line = ParsedLine(
            envelope: LogEnvelope(host: "mx1"), record: .removed(mta: .postfix, queueID: "ABCDE12345"))
        for _ in 0..<3 {
            let box = ParsedLines()
            box.lines.reserveCapacity(1_000)
            for _ in 0..<1_000 { box.lines.append(line) }
            spent.give(box)
        }
        let a = spent.take()
        let b = spent.take()
        let c = spent.take()
        #expect(a.lines.isEmpty && b.lines.isEmpty && c.lines.isEmpty)
        #expect(a.lines.capacity >= 1_000 && b.lines.capacity >= 1_000)
        #expect(c.lines.capacity < 1_000, "the third was not kept")
        #expect(a !== b && b !== c)
    }

    /// At the end of a backfill the tracking thread frees what waits (before it waits for the commits): nothing
    /// stays behind, and a later take gets a fresh box, not a freed one.
    @Test func drainedSpentLinesAreGoneAndTheNextTakeIsFresh() {
        let spent = SpentLines(capacity: 4)
        let line = ParsedLine(
            envelope: LogEnvelope(host: "mx1"), record: .removed(mta: .postfix, queueID: "ABCDE12345"))
        for _ in 0..<3 { spent.give(ParsedLines(Array(repeating: line, count: 1_000))) }
        #expect(spent.waiting == 3)
        spent.drain()
        #expect(spent.waiting == 0)
        let next = spent.take()
        #expect(next.lines.isEmpty && next.lines.capacity < 1_000, "a drained box came back")
        spent.drain()
        #expect(spent.waiting == 0)
    }

    /// Stopped after its first batch, a backfill stores the position of that batch only (the reading
    /// thread had parsed further); run again, it resumes there and reads the rest, each line once.
    @Test func anInterruptedBackfillCommitsWhatItProcessedAndResumes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-stages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("mail.log.1").path
        // Enough lines for more than one batch: the sample's lines again and again.
        var sample = try String(
            contentsOf: SampleBackfillTests.repo.appendingPathComponent("samples/postfix-mail.log"), encoding: .utf8)
        if !sample.hasSuffix("\n") { sample += "\n" }
        let sampleLines = sample.split(separator: "\n").count
        let text = String(repeating: sample, count: 2 * BackfillRunner.batchLines / sampleLines + 1)
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let total = text.split(separator: "\n").count
        #expect(total > BackfillRunner.batchLines)
        let state = dir.appendingPathComponent("state.db").path
        func backfill(stopAfterFirstBatch: Bool) throws -> BackfillSummary {
            let config = SampleBackfillTests.config(state: state)
            let db = try StateDB(path: state)
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: db, sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
            return try runner.run(inputs: [log], emit: { _ in }, shouldStop: { stopAfterFirstBatch })
        }
        let first = try backfill(stopAfterFirstBatch: true)
        #expect(first.interrupted)
        #expect(first.lines > 0 && first.lines < total)
        let db = try StateDB(path: state)
        let stored = try db.positions().compactMap(FilePositionCoding.decode)
        #expect(stored.count == 1)
        #expect(stored.first?.isComplete == false)
        let committedOffset = try #require(stored.first?.offset)
        let firstBytes = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .prefix(first.lines).reduce(0) { $0 + $1.count + 1 }
        #expect(committedOffset == Int64(firstBytes))
        let second = try backfill(stopAfterFirstBatch: false)
        #expect(!second.interrupted)
        #expect(first.lines + second.lines == total)
    }
    /// A commit that fails on the committing thread ends the backfill with its error (the tracking and reading
    /// threads stop; nothing hangs), and what was committed before it is consistent: run again without the fault,
    /// the backfill resumes at the stored position and the database holds exactly the bounces of a backfill that
    /// never failed (a position committed without its events would lose them; events without their position
    /// would be counted again).
    @Test func aFailedCommitStopsTheBackfillAndKeepsPositionsWithTheirEvents() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-stages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("mail.log.1").path
        // Several batches whose bounces are all distinct: the sample again and again, each copy on its own day.
        var sample = try String(
            contentsOf: SampleBackfillTests.repo.appendingPathComponent("samples/postfix-mail.log"), encoding: .utf8)
        if !sample.hasSuffix("\n") { sample += "\n" }
        let copies = 4 * BackfillRunner.batchLines / sample.split(separator: "\n").count + 1
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
        #expect(copies <= months.count * 28)
        var text = ""
        for i in 0..<copies {
            let day = String(i % 28 + 1)
            let date = months[i / 28] + " " + (day.count == 1 ? " " + day : day)
            text += sample.replacingOccurrences(of: "Nov 26", with: date)
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        func backfill(_ state: String) throws -> BackfillSummary {
            let config = SampleBackfillTests.config(state: state)
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: try StateDB(path: state), sink: .localStore, timeZone: .utc,
                maxLineLength: 1 << 20)
            return try runner.run(inputs: [log], emit: { _ in })
        }
        let clean = dir.appendingPathComponent("clean.db").path
        let whole = try backfill(clean)
        #expect(whole.newEvents > 100)
        let state = dir.appendingPathComponent("state.db").path
        _ = try StateDB(path: state)
        // A commit whose position passes half the file fails (with the whole group it is in).
        let raw = try SQLiteConnection(path: state)
        try raw.execute(
            "CREATE TRIGGER boom BEFORE UPDATE ON source_positions WHEN NEW.offset > \(text.utf8.count / 2) "
                + "BEGIN SELECT RAISE(ABORT, 'boom'); END")
        #expect(throws: StateDBError.self) { try backfill(state) }
        let stored = try StateDB(path: state).positions().compactMap(FilePositionCoding.decode)
        let offset = try #require(stored.first?.offset)
        #expect(offset > 0 && offset <= Int64(text.utf8.count / 2))
        let before = try keys(state)
        #expect(!before.isEmpty && before.count < whole.newEvents)
        try raw.execute("DROP TRIGGER boom")
        let second = try backfill(state)
        #expect(second.lines < whole.lines)
        #expect(second.duplicates == 0)
        #expect(try keys(state) == keys(clean))
    }

    func keys(_ path: String) throws -> [String] {
        var out: [String] = []
        try SQLiteConnection(path: path).prepare("SELECT dedup_key FROM dedup_keys ORDER BY 1").query {
            out.append($0.text(0))
        }
        return out
    }
}
