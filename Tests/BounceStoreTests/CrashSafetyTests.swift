import BounceCore
import Foundation
import Testing

@testable import BounceStore

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL at arbitrary moments while batches commit, then restart: position, tracker state and
/// outbox must agree exactly (architecture invariant 1), with no event missing or twice.
///
/// The writer is this test binary itself, re-run with a filter that selects only
/// ``crashChildWriter()`` and an environment variable naming the database.
@Suite("Crash safety (SIGKILL)")
struct CrashSafetyTests {
    static let childVariable = "BOUNCESTORE_CRASH_CHILD_DB"
    static let eventsPerBatch = 10

    /// The child: resumes from the committed position and commits batches until killed. Each batch
    /// covers 10 new events and repeats the previous batch's last event (a duplicate to ignore).
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment[childVariable] != nil, "runs only as the crash test's child process"
        ))
    func crashChildWriter() throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childVariable])
        let db = try StateDB(path: path)
        var batch = Int((try db.position(of: "mail.log")?.offset ?? 0) / Int64(Self.eventsPerBatch))
        while batch < 1_000_000 {
            let first = batch * Self.eventsPerBatch
            var events = (first..<(first + Self.eventsPerBatch)).map { makeEvent($0) }
            if first > 0 { events.append(makeEvent(first - 1)) }
            try db.commit(
                Batch(
                    positions: [SourcePosition(sourceID: "mail.log", offset: Int64(first + Self.eventsPerBatch))],
                    trackerUpserts: [(key: "progress", bytes: Array(String(batch + 1).utf8))],
                    trackerDeletes: ["scratch-\(batch - 1)"], events: events))
            try db.commit(Batch(trackerUpserts: [(key: "scratch-\(batch)", bytes: [1])]))
            batch += 1
        }
    }

    @Test func killedWritersNeverLoseOrRepeatAnEvent() throws {
        #if os(Linux)
            let dir = TempDir()
            let path = dir.file()
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            var lastOffset: Int64 = 0
            for round in 0..<6 {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: executable)
                child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChildWriter"]
                var environment = ProcessInfo.processInfo.environment
                environment[Self.childVariable] = path
                child.environment = environment
                child.standardOutput = FileHandle.nullDevice
                child.standardError = FileHandle.nullDevice
                try child.run()
                // Let it commit a varying number of batches past where it started, then kill it
                // wherever it is (most of its time is spent inside a commit's fsync).
                let target = lastOffset + Int64(10 * (3 + round * 7))
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, child.isRunning {
                    if let offset = try? committedOffset(path), offset >= target { break }
                    usleep(2_000)
                }
                #expect(child.isRunning, "the child exited by itself: status \(child.terminationStatus)")
                kill(child.processIdentifier, SIGKILL)
                child.waitUntilExit()
                #expect(child.terminationReason == .uncaughtSignal)

                let db = try StateDB(path: path)
                let offset = try #require(try db.position(of: "mail.log")?.offset)
                #expect(offset >= target, "round \(round): the child was killed before reaching its target")
                let batches = Int(offset) / Self.eventsPerBatch
                // Position, tracker state and outbox agree: nothing of a killed batch is visible.
                #expect(offset % Int64(Self.eventsPerBatch) == 0)
                #expect(try db.trackerState(forKey: "progress") == Array(String(batches).utf8))
                #expect(try db.status().pending == Int(offset))
                #expect(try count(path, "SELECT COUNT(DISTINCT dedup_key) FROM outbox") == offset)
                #expect(try count(path, "SELECT COUNT(*) FROM dedup_keys") == offset)
                let expected = Set((0..<Int(offset)).map { makeEvent($0).dedupKey })
                var seen = Set<String>()
                for row in try db.list(OutboxQuery(states: [.pending], limit: Int(offset) + 10)) {
                    #expect(seen.insert(row.dedupKey).inserted, "twice: \(row.dedupKey)")
                }
                #expect(seen == expected)
                #expect(try db.quickCheck() == ["ok"])
                lastOffset = offset
            }
        #else
            print("CrashSafetyTests: skipped, re-running the test binary through /proc/self/exe needs Linux")
        #endif
    }

    private func committedOffset(_ path: String) throws -> Int64? {
        let c = try SQLiteConnection(path: path, readOnly: true, create: false)
        return try c.scalarInt("SELECT offset FROM source_positions WHERE source_id = 'mail.log'")
    }
}
