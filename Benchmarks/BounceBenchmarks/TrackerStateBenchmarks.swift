import Benchmark
import BounceCore

/// The tracker state a backfill commits with every batch: messages in flight that the batch touched are
/// written out as JSON rows (``MessageTracker/drainChanges()``). Two benchmarks over the same lines, one
/// draining after each round and one not, so their difference is the cost of writing the rows.
func trackerStateBenchmarks() {
    let inFlight = 1_000
    let t0: Int64 = 1_796_083_200
    // One deferral per message per round: every message changes, as a retry wave touches a queue.
    func deferral(_ i: Int, round: Int) -> ParsedLine {
        let qid = "Q\(String(i, radix: 16, uppercase: true))"
        let rcpt = "user\(i)@example\(i % 7).org"
        let attempt = DeliveryAttempt(
            mta: .postfix, queueID: qid, recipient: rcpt, agent: "smtp", relay: "mx.example\(i % 7).org[192.0.2.10]:25",
            remoteHost: "mx.example\(i % 7).org", dsn: "4.7.28", rawStatus: "deferred", status: .deferred,
            replyCode: 421, enhancedCode: "4.7.28",
            diagnostic:
                "host mx.example\(i % 7).org[192.0.2.10] said: 421 4.7.28 unusual rate of unsolicited mail (in reply to RCPT TO command)",
            smtpStage: .rcpt)
        return ParsedLine(
            envelope: LogEnvelope(time: LogTime(seconds: t0 + Int64(round * 600)), program: "postfix/smtp"),
            record: .delivery(attempt))
    }
    func queued(_ i: Int) -> [ParsedLine] {
        let qid = "Q\(String(i, radix: 16, uppercase: true))"
        let env = LogEnvelope(time: LogTime(seconds: t0), program: "postfix/cleanup")
        return [
            ParsedLine(
                envelope: env, record: .messageID(mta: .postfix, queueID: qid, messageID: "\(qid)@lists.example")),
            ParsedLine(
                envelope: env,
                record: .header(
                    mta: .postfix, queueID: qid, name: "X-Listmonk-Campaign",
                    value: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f")),
            ParsedLine(
                envelope: env,
                record: .queued(
                    QueuedMessage(mta: .postfix, queueID: qid, sender: "bounces@lists.example", recipientCount: 1))),
        ]
    }
    let setup = (0..<inFlight).flatMap(queued)
    let rounds = (0..<4).map { r in (0..<inFlight).map { deferral($0, round: r + 1) } }

    func run(_ benchmark: Benchmark, drain: Bool) {
        for _ in benchmark.scaledIterations {
            var tracker = MessageTracker(options: TrackerOptions(host: "mx1.example.net"))
            for line in setup { _ = tracker.ingest(line) }
            _ = tracker.drainChanges()
            var bytes = 0
            for round in rounds {
                for line in round { _ = tracker.ingest(line) }
                if drain { bytes += tracker.drainChanges().upserted.values.reduce(0) { $0 + $1.count } }
            }
            blackHole(bytes)
        }
    }

    Benchmark(
        "Tracker: 1000 deferred messages, 4 rounds, drained (JSON rows) each round",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark in
        run(benchmark, drain: true)
    }

    Benchmark(
        "Tracker: the same lines, not drained (baseline for the row cost)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark in
        run(benchmark, drain: false)
    }
}
