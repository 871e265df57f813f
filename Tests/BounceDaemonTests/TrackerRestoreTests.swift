import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// Start-up's restore of `tracker_state`, read a chunk of rows at a time: a table of several chunks comes back
/// whole, each message with its sender, on a real backfill into a real state database.
@Suite struct TrackerRestoreTests {
    static let messages = 10_000

    private static func qid(_ n: Int) -> String { String(format: "6D%05XC", n) }

    private static func time(_ day: Int, _ second: Int) -> String {
        String(format: "Nov %02d %02d:%02d:%02d", day, 8 + second / 3600, second / 60 % 60, second % 60)
    }

    /// ``messages`` messages deferred a second apart on 26 November, never removed.
    static func deferredLog() -> String {
        var lines: [String] = []
        lines.reserveCapacity(2 * messages)
        for n in 1...messages {
            let t = time(26, n)
            lines.append(
                "\(t) mx1 postfix/qmgr[900]: \(qid(n)): from=<news@lists.test>, size=2100, nrcpt=1 (queue active)")
            lines.append(
                "\(t) mx1 postfix/smtp[901]: \(qid(n)): to=<user\(n)@slow.test>, relay=none, delay=30, "
                    + "delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.test[192.0.2.20]:25: "
                    + "Connection timed out)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The final `550 5.1.1` of every one of them, two days later: each bounce carries the sender only if its
    /// message's state was restored.
    static func finalLog() -> String {
        (1...messages).map { n in
            "\(time(28, n)) mx1 postfix/smtp[901]: \(qid(n)): to=<user\(n)@slow.test>, "
                + "relay=mx.slow.test[192.0.2.20]:25, delay=172800, delays=172000/0/0.3/0.2, dsn=5.1.1, "
                + "status=bounced (host mx.slow.test[192.0.2.20] said: 550 5.1.1 <user\(n)@slow.test>: "
                + "Recipient address rejected: mailbox unavailable (in reply to RCPT TO command))"
        }.joined(separator: "\n") + "\n"
    }

    @Test func aTableOfSeveralChunksIsRestoredWholeAndEveryLateBounceKeepsItsSender() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("mail.log.1")
        let second = dir.appendingPathComponent("other.log")
        try Self.deferredLog().write(to: first, atomically: true, encoding: .utf8)
        try Self.finalLog().write(to: second, atomically: true, encoding: .utf8)
        let state = dir.appendingPathComponent("state.db").path
        let config = try ConfigLoader.parse(
            """
            [general]
            host_name = "restore.test"
            time_zone = "UTC"
            state_db = "\(state)"
            [classifier]
            patterns_dir = "/nonexistent"
            override_dir = "/nonexistent"
            [outbox]
            hold_older_than = "36500d"
            """)
        let patterns = try PipelineFactory.loadPatterns(config)
        do {
            let db = try StateDB(path: state)
            let pipeline = PipelineFactory.make(config, patterns: patterns)
            let runner = BackfillRunner(
                pipeline: pipeline, db: db, sink: .outbox, timeZone: .utc, maxLineLength: 1 << 20)
            let summary = try runner.run(inputs: [first.path], emit: { _ in })
            #expect(summary.events == 0)
            #expect(pipeline.tracker.messageCount == Self.messages)
        }

        // A fresh process's view: the rows straight into a new pipeline, then a second backfill (which restores
        // the same way) of the final lines.
        let db = try StateDB(path: state)
        let rows = try db.allTrackerState().filter { !$0.key.contains("|~") }
        #expect(rows.count == Self.messages)
        let restored = PipelineFactory.make(config, patterns: patterns)
        var rejected: [String] = []
        try restored.restoreState(from: db) { key, _ in rejected.append(key) }
        #expect(rejected.isEmpty)
        #expect(restored.tracker.messageCount == Self.messages)

        let pipeline = PipelineFactory.make(config, patterns: patterns)
        let runner = BackfillRunner(pipeline: pipeline, db: db, sink: .outbox, timeZone: .utc, maxLineLength: 1 << 20)
        var events: [BounceEvent] = []
        let summary = try runner.run(inputs: [second.path], emit: { events += $0 })
        #expect(summary.failures.isEmpty)
        #expect(events.count == Self.messages)
        #expect(Set(events.map(\.email)) == Set((1...Self.messages).map { "user\($0)@slow.test" }))
        #expect(events.allSatisfy { $0.meta.sender == "news@lists.test" })
        #expect(pipeline.tracker.counters.evictedByCount == 0)
    }
}
