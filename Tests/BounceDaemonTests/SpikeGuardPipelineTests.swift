import BounceClassifier
import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// The spike guard in the daemon's pipeline: real Postfix lines in a real file, through the backfill
/// (dry run and into a real state database) and through batches the way `run` cuts them.
@Suite struct SpikeGuardPipelineTests {
    /// The Postfix lines of one message of 2026-11-26 to `rcpt`, `seconds` after 10:00, delivered or
    /// rejected with `550 5.1.1`; `id` makes its queue id.
    static func messageLines(_ rcpt: String, at seconds: Int, delivered: Bool, id: Int) -> [String] {
        let qid = String(format: "4F%05XA", id)
        let t = String(format: "Nov 26 10:%02d:%02d", seconds / 60, seconds % 60)
        let host = rcpt.split(separator: "@").last.map(String.init) ?? ""
        let result =
            delivered
            ? "dsn=2.0.0, status=sent (250 2.0.0 OK queued)"
            : "dsn=5.1.1, status=bounced (host mx.\(host)[192.0.2.10] said: 550 5.1.1 <\(rcpt)>: Recipient address rejected: mailbox unavailable (in reply to RCPT TO command))"
        return [
            "\(t) mx1 postfix/qmgr[900]: \(qid): from=<news@lists.test>, size=2100, nrcpt=1 (queue active)",
            "\(t) mx1 postfix/smtp[901]: \(qid): to=<\(rcpt)>, relay=mx.\(host)[192.0.2.10]:25, delay=0.4, delays=0.1/0/0.1/0.2, \(result)",
            "\(t) mx1 postfix/qmgr[900]: \(qid): removed",
        ]
    }

    /// A Postfix log: ten deliveries to outlook.test from 10:00, then from 10:05 a `550 5.1.1` every 10 s
    /// to outlook.test (25 of them) and, interleaved, to dead.test (never delivered).
    static func incidentLog() -> String {
        var lines: [String] = []
        var n = 0
        func message(_ rcpt: String, at seconds: Int, delivered: Bool) {
            n += 1
            lines += messageLines(rcpt, at: seconds, delivered: delivered, id: n)
        }
        for i in 0..<10 { message("ok\(i)@outlook.test", at: i * 3, delivered: true) }
        for i in 0..<25 {
            message("user\(i)@outlook.test", at: 300 + i * 10, delivered: false)
            message("gone\(i)@dead.test", at: 300 + i * 10 + 1, delivered: false)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func config(state: String? = nil) -> BounceTailConfig {
        var c = BounceTailConfig()
        c.general.hostName = "guard.test"
        c.general.timeZone = "UTC"
        c.classifier.patternsDir = "/nonexistent"
        c.classifier.overrideDir = "/nonexistent"
        // The log is dated; the age hold is not what this test is about.
        c.outbox.holdOlderThan = .days(365 * 100)
        if let state { c.general.stateDB = state }
        return c
    }

    static func withLog(_ body: (String, URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-guard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("mail.log")
        try incidentLog().write(to: log, atomically: true, encoding: .utf8)
        try body(log.path, dir)
    }

    static func check(_ events: [BounceEvent]) {
        let outlook = events.filter { $0.email.hasSuffix("@outlook.test") }
        let dead = events.filter { $0.email.hasSuffix("@dead.test") }
        #expect(outlook.count == 25)
        #expect(dead.count == 25)
        #expect(events.allSatisfy { $0.type == .hard && $0.meta.reason == "userunknown" }, "fixture lines classify")
        // 10 deliveries then hard bounces: the 20th makes 20 of 30 outcomes, and trips.
        #expect(outlook.prefix(19).allSatisfy { $0.meta.action == .forward && $0.meta.holdReason == nil })
        #expect(outlook.dropFirst(19).allSatisfy { $0.meta.action == .hold && HardBounceGuard.isGuardHold($0) })
        let reason = outlook[19].meta.holdReason ?? ""
        #expect(reason.contains("20 of 30 outcomes to outlook.test in the last 15m were hard bounces (userunknown 20)"))
        #expect(reason.contains("last accepted mail 7m before this bounce"))
        // The dead domain never accepted anything: its hard bounces flow.
        #expect(dead.allSatisfy { $0.meta.action == .forward })
    }

    @Test func aDryRunShowsTheSpikeHeldAndTheDeadDomainForwarded() throws {
        try Self.withLog { log, _ in
            let config = Self.config()
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: nil, sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
            var events: [BounceEvent] = []
            let summary = try runner.run(inputs: [log], emit: { events += $0 })
            Self.check(events)
            #expect(summary.held == 6)
            #expect(summary.guardHeld == 6)
            let transitions = pipeline.drainGuardTransitions()
            #expect(transitions.map(\.kind) == [.tripped])
            #expect(transitions.first?.domain == "outlook.test")
            #expect(pipeline.guardTrippedDomains == 1)
        }
    }

    @Test func aBackfillStoresThemHeldAsSpikeGuardAndReleaseSendsThem() throws {
        try Self.withLog { log, dir in
            let state = dir.appendingPathComponent("state.db").path
            let config = Self.config(state: state)
            let db = try StateDB(path: state)
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: db, sink: .outbox, timeZone: .utc, maxLineLength: 1 << 20)
            var events: [BounceEvent] = []
            let summary = try runner.run(inputs: [log], emit: { events += $0 })
            Self.check(events)
            #expect(summary.newEvents == 50)
            #expect(summary.held == 6)
            #expect(summary.guardHeld == 6)
            let held = try db.list(OutboxQuery(states: [.held]))
            #expect(held.count == 6)
            #expect(held.allSatisfy { $0.holdReason == HardBounceGuard.outboxHoldReason })
            #expect(held.allSatisfy { $0.body.contains("spike guard:") })
            #expect(try db.status().pending == 44)
            #expect(try db.releaseHeld(reason: HardBounceGuard.outboxHoldReason) == 6)
            #expect(try db.status().pending == 50)
        }
    }

    @Test func theGuardCanBeTurnedOff() throws {
        try Self.withLog { log, _ in
            var config = Self.config()
            config.spikeGuard.enabled = false
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: nil, sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
            var events: [BounceEvent] = []
            let summary = try runner.run(inputs: [log], emit: { events += $0 })
            #expect(events.count == 50)
            #expect(events.allSatisfy { $0.meta.action == .forward })
            #expect(summary.guardHeld == 0)
        }
    }

    /// `run` drains deliveries once per batch; decisions must not depend on where batches are cut.
    @Test func batchBoundariesDoNotChangeTheDecisions() throws {
        let config = Self.config()
        let patterns = try PipelineFactory.loadPatterns(config)
        func actions(drainEvery: Int) -> [String] {
            let pipeline = PipelineFactory.make(config, patterns: patterns)
            var parser = LineParser(
                options: LineParserOptions(timeZone: .utc, referenceTime: LogTime(seconds: 1_796_000_000)))
            var events: [BounceEvent] = []
            for (i, line) in Self.incidentLog().split(separator: "\n").enumerated() {
                var copy = String(line)
                copy.withUTF8 { u in
                    let raw = UnsafeRawBufferPointer(u)
                    pipeline.ingest(line: raw, parsed: parser.parse(raw), into: &events)
                }
                if (i + 1) % drainEvery == 0 { _ = pipeline.drainDeliveries() }
            }
            return events.map { "\($0.email) \($0.meta.action.rawValue)" }
        }
        let perLine = actions(drainEvery: 1)
        #expect(perLine.filter { $0.hasSuffix(" hold") }.count == 6)
        #expect(actions(drainEvery: 7) == perLine)
        #expect(actions(drainEvery: 100_000) == perLine)
    }

    /// A backfill reads one log family after another: when the family read first ends days later, the
    /// batch ticks of the family read next must not release its tripped domain (the guard follows the
    /// reader's position, not the latest time of any source).
    @Test func aLaterFamilyReadFirstDoesNotReleaseTheIncidentAtEveryBatch() throws {
        let config = Self.config()
        let patterns = try PipelineFactory.loadPatterns(config)
        let pipeline = PipelineFactory.make(config, patterns: patterns)
        // One parser per source, as the backfill has (each carries its own year inference).
        func parser() -> LineParser {
            LineParser(options: LineParserOptions(timeZone: .utc, referenceTime: LogTime(seconds: 1_796_000_000)))
        }
        var events: [BounceEvent] = []
        func feed(_ line: String, _ parser: inout LineParser) {
            var copy = line
            copy.withUTF8 { u in
                let raw = UnsafeRawBufferPointer(u)
                pipeline.ingest(line: raw, parsed: parser.parse(raw), into: &events)
            }
        }
        // The other family: one delivery three days later.
        var other = parser()
        for line in Self.messageLines("someone@elsewhere.test", at: 0, delivered: true, id: 9999) {
            feed(line.replacingOccurrences(of: "Nov 26", with: "Nov 29"), &other)
        }
        // The incident, with the batch tick every 10 lines as the backfill runner does.
        var incident = parser()
        for (i, line) in Self.incidentLog().split(separator: "\n").enumerated() {
            feed(String(line), &incident)
            if (i + 1) % 10 == 0 { pipeline.tick(at: pipeline.tracker.clock, into: &events) }
        }
        let outlook = events.filter { $0.email.hasSuffix("@outlook.test") }
        #expect(outlook.count == 25)
        #expect(outlook.filter { $0.meta.action == .hold }.count == 6, "the 20th trips and the rest stay held")
        #expect(pipeline.drainGuardTransitions().map(\.kind) == [.tripped])
    }
}
