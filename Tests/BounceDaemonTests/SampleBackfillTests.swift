import BounceClassifier
import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// The logs in `samples/` were written by real Postfix 3.7 and Exim 4.96 in the end-to-end harness
/// (`e2e/run-mtas.sh`), with the campaign's expectations beside them. These tests run them through the
/// whole pipeline: a dry run, and a backfill into a real state database, twice.
@Suite struct SampleBackfillTests {
    struct Expectation {
        var email: String
        var subscriber: String
        var outcome: String
        var type: String
        var reasons: [String]
        var action: String
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func expectations(_ name: String) throws -> [Expectation] {
        let text = try String(contentsOf: repo.appendingPathComponent("samples/\(name)"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Expectation(
                email: f[0], subscriber: f[1], outcome: f[2], type: f[3],
                reasons: f[4].split(separator: ",").map(String.init),
                action: f[5])
        }
    }

    static func config(state: String? = nil) -> BounceTailConfig {
        var c = BounceTailConfig()
        // The samples were logged on a machine called `mail`; `host_name` names it (in another form than the
        // logs: its short form is what both give), so Exim's mainlog (no host) and its journal entries
        // (`_HOSTNAME=mail`) agree.
        c.general.hostName = "mail.sample.test"
        c.general.timeZone = "UTC"
        c.classifier.patternsDir = "/nonexistent"  // the embedded set
        c.classifier.overrideDir = "/nonexistent"
        // The samples are older than any hold age by the time the tests run; the age hold is tested elsewhere.
        c.outbox.holdOlderThan = .days(365 * 100)
        if let state { c.general.stateDB = state }
        return c
    }

    static func dryRun(_ log: String, configure: (inout BounceTailConfig) -> Void = { _ in }) throws -> [BounceEvent] {
        var config = config()
        configure(&config)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let runner = BackfillRunner(
            pipeline: pipeline, db: nil, sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
        var events: [BounceEvent] = []
        _ = try runner.run(inputs: [repo.appendingPathComponent("samples/\(log)").path], emit: { events += $0 })
        return events
    }

    static func check(_ events: [BounceEvent], against expected: [Expectation]) {
        let byEmail = Dictionary(grouping: events, by: \.email)
        for e in expected {
            let got = byEmail[e.email] ?? []
            if e.outcome == "none" {
                #expect(got.isEmpty, "\(e.email) was delivered: no event expected")
                continue
            }
            #expect(got.count == 1, "\(e.email): exactly one event expected, got \(got.count)")
            guard let ev = got.first else { continue }
            #expect(ev.type.rawValue == e.type, "\(e.email): type")
            #expect(
                e.reasons.contains(ev.meta.reason),
                "\(e.email): reason \(ev.meta.reason) not in \(e.reasons) (rule \(ev.meta.rule))")
            #expect(ev.meta.action.rawValue == e.action, "\(e.email): action")
            #expect(ev.meta.status == e.outcome, "\(e.email): status")
            if !e.subscriber.isEmpty {
                #expect(ev.subscriberUUID == e.subscriber, "\(e.email): subscriber uuid")
                #expect(ev.campaignUUID != nil, "\(e.email): campaign uuid")
            }
        }
        let expectedEmails = Set(expected.filter { $0.outcome != "none" }.map(\.email))
        #expect(
            Set(events.map(\.email)).subtracting(expectedEmails).isEmpty, "events for addresses that did not bounce")
    }

    @Test func postfixSampleGivesExactlyTheExpectedEvents() throws {
        Self.check(try Self.dryRun("postfix-mail.log"), against: try Self.expectations("postfix.expect.tsv"))
    }

    @Test func eximSampleGivesExactlyTheExpectedEvents() throws {
        Self.check(try Self.dryRun("exim-mainlog"), against: try Self.expectations("exim.expect.tsv"))
    }

    @Test func backfillIntoTheStoreTwiceAddsNothingTheSecondTime() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-sample-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        let logs = ["postfix-mail.log", "exim-mainlog"].map { Self.repo.appendingPathComponent("samples/\($0)").path }
        let expected = try Self.expectations("postfix.expect.tsv") + Self.expectations("exim.expect.tsv")
        let bounces = expected.filter { $0.outcome != "none" }.count

        var summaries: [BackfillSummary] = []
        for _ in 0..<2 {
            let config = Self.config(state: state)
            let db = try StateDB(path: state)
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: db, sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
            summaries.append(try runner.run(inputs: logs, emit: { _ in }))
        }
        #expect(summaries[0].newEvents == bounces)
        // The second run finds every file complete or resumes at its end: nothing new, nothing twice.
        #expect(summaries[1].newEvents == 0)
        let db = try StateDB(path: state)
        let status = try db.status()
        let held = expected.filter { $0.outcome != "none" && $0.action == "hold" }.count
        #expect(status.stored == bounces - held)
        #expect(status.held == held)
    }

    @Test("A bounce `run` stored without the headers gains its UUIDs from the backfill of the rotated file")
    func laterBackfillMergesTheUUIDsTheFirstReaderLacked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-enrich-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        // The sample rotated just before its first bounce line: that message's header lines are in
        // mail.log.1, its bounce in mail.log.
        let text = try String(contentsOf: Self.repo.appendingPathComponent("samples/postfix-mail.log"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let split = try #require(lines.firstIndex { $0.contains("status=bounced") })
        let older = dir.appendingPathComponent("mail.log.1").path
        let live = dir.appendingPathComponent("mail.log").path
        try (lines[..<split].joined(separator: "\n") + "\n").write(toFile: older, atomically: true, encoding: .utf8)
        try lines[split...].joined(separator: "\n").write(toFile: live, atomically: true, encoding: .utf8)
        let email = try #require(lines[split].split(separator: "<").dropFirst().first?.split(separator: ">").first)
        let expected = try Self.expectations("postfix.expect.tsv")
        let subscriber = try #require(expected.first { $0.email == email }?.subscriber)

        func backfill(_ inputs: [String]) throws -> BackfillSummary {
            let config = Self.config(state: state)
            let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
            let runner = BackfillRunner(
                pipeline: pipeline, db: try StateDB(path: state), sink: .localStore, timeZone: .utc,
                maxLineLength: 1 << 20)
            return try runner.run(inputs: inputs, emit: { _ in })
        }
        func storedSubscriber() throws -> String? {
            try StateDB(path: state).storedBounces().first { $0.email == email }?.subscriberUUID
        }

        // What `run` on the live file stores: the bounce, without the UUIDs it never saw.
        let first = try backfill([live])
        #expect(first.newEvents > 0 && first.enriched == 0)
        #expect(try storedSubscriber() == "")
        let storedBefore = try StateDB(path: state).status().stored

        // The recommended backfill of the family: the same bounce again, now with its headers.
        let second = try backfill([older, live])
        #expect(second.enriched >= 1 && second.enrichTooLate == 0 && second.enrichConflicts == 0)
        #expect(second.newEvents == 0)
        #expect(try storedSubscriber() == subscriber)
        #expect(try StateDB(path: state).status().stored == storedBefore)
        // Every stored bounce now has what the full read gives it.
        let all = try StateDB(path: state).storedBounces()
        for e in expected where !e.subscriber.isEmpty && e.outcome != "none" && e.action != "hold" {
            #expect(all.first { $0.email == e.email }?.subscriberUUID == e.subscriber, "\(e.email)")
        }
        // Once more: nothing left to merge.
        #expect(try backfill([older, live]).enriched == 0)
    }
}
