import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// `tracker.state_max_messages`: read, refused with what the cap does, and honoured by a real backfill into a
/// real state database (the count of in-flight messages, and what a late bounce of a dropped one carries).
@Suite struct TrackerCapacityConfigTests {
    @Test func theDefaultIsTwoHundredThousandInTheConfigAndTheTracker() throws {
        let config = try ConfigLoader.parse("")
        #expect(config.tracker.stateMaxMessages == 200_000)
        #expect(PipelineFactory.options(config).tracker.maxMessages == 200_000)
        #expect(config.tracker.capacitySummary.contains("at most 200000 messages in flight"))
        #expect(config.tracker.capacitySummary.contains("about 240 MB"))
    }

    @Test func theKeyReachesTheTrackerOptionsOfRunAndBackfill() throws {
        let config = try ConfigLoader.parse("[tracker]\nstate_max_messages = 1_100_000\n")
        #expect(config.tracker.stateMaxMessages == 1_100_000)
        // `run` (IngestLoop) and `backfill` (PipelineFactory.make) both take their options from here.
        #expect(PipelineFactory.options(config).tracker.maxMessages == 1_100_000)
        let bounds = try ConfigLoader.parse("[tracker]\nstate_max_messages = 1000\n")
        #expect(PipelineFactory.options(bounds).tracker.maxMessages == 1000)
        let top = try ConfigLoader.parse("[tracker]\nstate_max_messages = 10000000\n")
        #expect(top.tracker.stateMaxMessages == 10_000_000)
    }

    @Test(arguments: [999, 0, -5, 10_000_001])
    func anOutOfRangeValueNamesTheKeyTheValueTheRangeAndWhatTheCapDoes(_ value: Int) {
        let found = configIssues("[tracker]\nstate_max_age = \"7d\"\nstate_max_messages = \(value)\n")
        #expect(found.count == 1)
        let issue = found.first
        #expect(issue?.kind == .invalidValue)
        #expect(issue?.keyPath == "tracker.state_max_messages")
        #expect(issue?.line == 3)
        let message = issue?.message ?? ""
        #expect(message.hasPrefix("\(value) is out of range; allowed: 1000 to 10000000"))
        #expect(message.contains("least recently seen tenth is dropped"))
        #expect(message.contains("without its sender"))
        #expect(issue?.description.hasPrefix("test.toml:3: tracker.state_max_messages:") == true)
    }

    @Test func aValueThatIsNotAnIntegerIsAWrongType() {
        for text in ["\"1M\"", "1.5e6", "true"] {
            let found = configIssues("[tracker]\nstate_max_messages = \(text)\n")
            #expect(found.map(\.kind) == [.wrongType], "\(text)")
            #expect(found.first?.message.contains("expected an integer") == true, "\(text)")
        }
    }

    @Test func aMisspelledKeyIsSuggested() {
        let found = configIssues("[tracker]\nstate_max_message = 5000\n")
        #expect(found.first?.kind == .unknownKey)
        #expect(found.first?.message.contains(#"did you mean "state_max_messages""#) == true)
    }

    // MARK: - The cap in a real backfill

    /// 1,500 messages deferred one second apart from 10:00 on 2026-11-26 and never removed, then two days later
    /// the final `550 5.1.1` of the first and of the last.
    static func deferredLog() -> String {
        var lines: [String] = []
        func qid(_ n: Int) -> String { String(format: "5C%05XB", n) }
        for n in 1...1_500 {
            let t = String(format: "Nov 26 10:%02d:%02d", n / 60, n % 60)
            lines.append(
                "\(t) mx1 postfix/qmgr[900]: \(qid(n)): from=<news@lists.test>, size=2100, nrcpt=1 (queue active)")
            lines.append(
                "\(t) mx1 postfix/smtp[901]: \(qid(n)): to=<user\(n)@slow.test>, relay=none, delay=30, "
                    + "delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.test[192.0.2.20]:25: "
                    + "Connection timed out)")
        }
        for n in [1, 1_500] {
            lines.append(
                "Nov 28 10:00:00 mx1 postfix/smtp[901]: \(qid(n)): to=<user\(n)@slow.test>, "
                    + "relay=mx.slow.test[192.0.2.20]:25, delay=172800, delays=172000/0/0.3/0.2, dsn=5.1.1, "
                    + "status=bounced (host mx.slow.test[192.0.2.20] said: 550 5.1.1 <user\(n)@slow.test>: "
                    + "Recipient address rejected: mailbox unavailable (in reply to RCPT TO command))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A backfill of ``deferredLog()`` into a fresh state database with `tracker` appended to the configuration:
    /// the events, the tracker's counters and the message rows left in `tracker_state`.
    static func backfill(tracker: String) throws -> (
        events: [BounceEvent], counters: TrackerCounters, rows: Int, summary: BackfillSummary, config: BounceTailConfig
    ) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-cap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("mail.log")
        try deferredLog().write(to: log, atomically: true, encoding: .utf8)
        let state = dir.appendingPathComponent("state.db").path
        let config = try ConfigLoader.parse(
            """
            [general]
            host_name = "cap.test"
            time_zone = "UTC"
            state_db = "\(state)"
            [classifier]
            patterns_dir = "/nonexistent"
            override_dir = "/nonexistent"
            [outbox]
            # The log is dated; the age hold is not what this test is about.
            hold_older_than = "36500d"
            [tracker]
            \(tracker)
            """)
        let db = try StateDB(path: state)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let runner = BackfillRunner(pipeline: pipeline, db: db, sink: .outbox, timeZone: .utc, maxLineLength: 1 << 20)
        var events: [BounceEvent] = []
        let summary = try runner.run(inputs: [log.path], emit: { events += $0 })
        let rows = try db.allTrackerState().filter { !$0.key.contains("|~") }.count
        return (events, pipeline.tracker.counters, rows, summary, config)
    }

    @Test func underTheDefaultCapEveryDeferredMessageKeepsItsSender() throws {
        let run = try Self.backfill(tracker: "")
        #expect(run.counters.evictedByCount == 0)
        #expect(run.rows == 1_500)
        #expect(run.events.map(\.email) == ["user1@slow.test", "user1500@slow.test"])
        #expect(run.events.allSatisfy { $0.meta.sender == "news@lists.test" })
    }

    @Test func aSmallCapFromTheConfigBoundsTheStateAndTheLateBounceOfADroppedMessageLosesItsSender() throws {
        let run = try Self.backfill(tracker: "state_max_messages = 1000")
        // Each time the count passes 1,000 the least recently seen tenth goes: 1,001 -> 900, 900 + 101 -> 900...
        #expect(run.counters.evictedByCount >= 500)
        #expect(run.rows <= 1_000)
        #expect(run.rows >= 900)
        let byEmail = Dictionary(uniqueKeysWithValues: run.events.map { ($0.email, $0) })
        #expect(byEmail.count == 2)
        // The last message was seen recently: still tracked, its bounce carries its sender.
        #expect(byEmail["user1500@slow.test"]?.meta.sender == "news@lists.test")
        // The first was dropped at the cap: its late bounce is seen afresh, by address alone.
        let late = try #require(byEmail["user1@slow.test"])
        #expect(late.meta.sender == nil)
        #expect(late.type == .hard)
    }

    // MARK: - The drops made visible

    @Test func underTheDefaultCapTheSummarySaysNothingOfDropsAndTheCounterStaysAbsent() throws {
        let run = try Self.backfill(tracker: "")
        #expect(run.summary.trackerCounters.evictedByCount == 0)
        #expect(TrackerEvictionWarning(run.config.tracker).summary(run.summary.trackerCounters) == "")
        let (metrics, registry) = MetricsBootstrap.isolated()
        var warning = TrackerEvictionWarning(run.config.tracker)
        #expect(warning.update(run.summary.trackerCounters, metrics: metrics, now: .now).isEmpty)
        #expect(!registry.emitToString().contains("bouncetail_tracker_evicted_total{"))
    }

    @Test func aSmallCapGivesTheSummaryLineTheCounterAndOneWarningNamingTheKey() throws {
        let run = try Self.backfill(tracker: "state_max_messages = 1000")
        // 1,500 messages against a cap of 1,000 (down to 900 each time it is passed): passed at the 1,001st,
        // 1,102nd, 1,203rd, 1,304th and 1,405th message, 101 dropped each time.
        #expect(run.summary.trackerCounters.evictedByCount == 505)
        #expect(run.summary.trackerCounters.evictedByAge == 0)
        let line = TrackerEvictionWarning(run.config.tracker).summary(run.summary.trackerCounters)
        #expect(line.hasPrefix("; 505 message(s) in flight dropped at the cap of 1000"))
        #expect(line.contains("raise [tracker] state_max_messages"))
        #expect(!line.contains("state_max_age"))

        // The daemon's view of the same counters: the metric counts every drop, the log says it once an hour.
        let (metrics, registry) = MetricsBootstrap.isolated()
        var warning = TrackerEvictionWarning(run.config.tracker)
        let start = ContinuousClock.now
        let first = warning.update(run.summary.trackerCounters, metrics: metrics, now: start)
        #expect(first.map(\.cause) == [.cap])
        #expect(first.first?.count == 505)
        #expect(first.first?.text.contains("dropped 505 messages in flight at the cap of 1000") == true)
        #expect(first.first?.text.contains("raise [tracker] state_max_messages") == true)
        #expect(registry.emitToString().contains(#"bouncetail_tracker_evicted_total{cause="cap"} 505"#))

        var more = run.summary.trackerCounters
        more.evictedByCount += 101
        #expect(warning.update(more, metrics: metrics, now: start + .seconds(60)).isEmpty)
        #expect(warning.update(more, metrics: metrics, now: start + .seconds(120)).isEmpty)
        #expect(registry.emitToString().contains(#"bouncetail_tracker_evicted_total{cause="cap"} 606"#))
        let later = warning.update(more, metrics: metrics, now: start + .seconds(3600))
        #expect(later.map(\.count) == [101])
        #expect(warning.update(more, metrics: metrics, now: start + .seconds(7200)).isEmpty)
    }

    @Test func dropsForAgeHaveTheirOwnCauseAndNameStateMaxAge() throws {
        let config = try ConfigLoader.parse("[tracker]\nstate_max_age = \"2d\"\n")
        var counters = TrackerCounters()
        counters.evictedByAge = 3
        let line = TrackerEvictionWarning(config.tracker).summary(counters)
        #expect(
            line
                == "; 3 message(s) dropped with no line for 2d (raise [tracker] state_max_age if the MTA keeps mail "
                + "queued longer)")
        let (metrics, registry) = MetricsBootstrap.isolated()
        var warning = TrackerEvictionWarning(config.tracker)
        let due = warning.update(counters, metrics: metrics, now: .now)
        #expect(due.map(\.cause) == [.age])
        #expect(due.first?.text.contains("state_max_age") == true)
        let text = registry.emitToString()
        #expect(text.contains(#"bouncetail_tracker_evicted_total{cause="age"} 3"#))
        #expect(!text.contains(#"cause="cap""#))
    }

    @Test func withASenderFilterTheLateBounceOfADroppedMessageIsNotSent() throws {
        let run = try Self.backfill(
            tracker: """
                state_max_messages = 1000
                [tracker.sender_filter]
                domains = ["lists.test"]
                """)
        #expect(run.events.map(\.email) == ["user1500@slow.test"])
        #expect(run.counters.filtered == 1)
    }
}
