import BounceDelivery
import BounceStore
import Foundation
import Testing

/// Not a unit test: prints sustained deliveries/s to the double on loopback and the latency from enqueue (outbox
/// commit) to the POST reaching listmonk. Runs only with `BOUNCETAIL_MEASURE=1`:
///
///     BOUNCETAIL_MEASURE=1 swift test --filter DeliveryMeasurement
@Suite struct DeliveryMeasurement {
    static let enabled = ProcessInfo.processInfo.environment["BOUNCETAIL_MEASURE"] == "1"

    @Test(.enabled(if: enabled, "set BOUNCETAIL_MEASURE=1 to measure delivery throughput and latency"))
    func sustainedThroughputAndEnqueueToPostLatency() async throws {
        let double = try await ListmonkDouble.start()
        let client = try ListmonkClient(
            configuration: .init(baseURL: double.baseURL, credentials: Fixtures.credentials(), maxConnections: 8))

        // Throughput: a backlog of n events, no rate limit, concurrency 8.
        let outbox = InMemoryOutbox()
        let n = 3000
        for i in 0..<n { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        var configuration = fastConfiguration(concurrency: 8, rateLimit: nil)
        configuration.idlePoll = .seconds(1)
        let dispatcher = Dispatcher(outbox: outbox, transport: client, configuration: configuration)
        let start = ContinuousClock.now
        #expect(await drain(dispatcher, timeout: .seconds(120)))
        let elapsed = ContinuousClock.now - start
        let rate = Double(n) / elapsed.inSeconds
        #expect(await outbox.count(.sent) == n)

        // Latency: events trickle in one at a time (each enqueue followed by wake(), as the pipeline does after its
        // commit); measure enqueue → request arrival at the double.
        let trickle = InMemoryOutbox()
        let live = Dispatcher(outbox: trickle, transport: client, configuration: configuration)
        let run = Task { await live.run() }
        var enqueued: [String: Date] = [:]
        let before = double.log.accepted.count
        for i in 0..<200 {
            let email = "latency\(i)@example.org"
            enqueued[email] = Date()
            await trickle.enqueue(body: Fixtures.body(100_000 + i, email: email), dedupKey: "l\(i)")
            await live.wake()
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = await eventually { double.log.accepted.count - before >= 200 }
        run.cancel()
        await run.value
        let latencies = double.log.accepted.dropFirst(before).compactMap { a in
            enqueued[a.bounce.email].map { a.at.timeIntervalSince($0) * 1000 }
        }.sorted()

        // The same two figures with the real state database (synchronous=FULL: one fsync per recorded answer).
        let dir = NSTemporaryDirectory() + "bt-measure-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = StateDBOptions()
        options.bodyEncoder = { Array(try WebhookBody.encode($0).utf8) }
        let db = try StateDB(path: dir + "/state.db", options: options)
        let m = 1000
        _ = try db.commit(Batch(events: (200_000..<(200_000 + m)).map { Fixtures.event($0) }))
        let sqliteDispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: client, configuration: configuration)
        let sqliteStart = ContinuousClock.now
        #expect(await drain(sqliteDispatcher, timeout: .seconds(120)))
        let sqliteElapsed = ContinuousClock.now - sqliteStart
        #expect(try db.status().sent == m)
        let liveSQLite = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: client, configuration: configuration)
        let sqliteRun = Task { await liveSQLite.run() }
        var committed: [String: Date] = [:]
        let before2 = double.log.accepted.count
        for i in 0..<100 {
            let email = "sqlite\(i)@example.org"
            _ = try db.commit(Batch(events: [Fixtures.event(300_000 + i, email: email)]))
            committed[email] = Date()
            await liveSQLite.wake()
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = await eventually { double.log.accepted.count - before2 >= 100 }
        sqliteRun.cancel()
        await sqliteRun.value
        let sqliteLatencies = double.log.accepted.dropFirst(before2).compactMap { a in
            committed[a.bounce.email].map { a.at.timeIntervalSince($0) * 1000 }
        }.sorted()

        try await client.shutdown()
        try await double.shutdown()
        func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        func pctS(_ p: Double) -> Double {
            sqliteLatencies[min(sqliteLatencies.count - 1, Int(Double(sqliteLatencies.count) * p))]
        }
        print(
            String(
                format: "MEASURE delivery (SQLite outbox, synchronous=FULL): %d events in %.2f s = %.0f deliveries/s; "
                    + "outbox commit→POST latency over %d trickled events: median %.2f ms, p99 %.2f ms",
                m, sqliteElapsed.inSeconds, Double(m) / sqliteElapsed.inSeconds, sqliteLatencies.count, pctS(0.5),
                pctS(0.99)))
        print(
            String(
                format:
                    "MEASURE delivery: %d events in %.2f s = %.0f deliveries/s (concurrency 8, loopback, debug build); "
                    + "enqueue→POST latency over %d trickled events: median %.2f ms, p99 %.2f ms, max %.2f ms",
                n, elapsed.inSeconds, rate, latencies.count, pct(0.5), pct(0.99), latencies.last ?? 0))
        #expect(latencies.count == 200)
    }
}

extension Duration {
    var inSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
