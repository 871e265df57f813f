import BounceDelivery
import Foundation
import Testing

/// The dispatcher over real loopback HTTP against the listmonk double.
@Suite(.serialized) struct DispatcherTests {
    static let faultModes: [(String, ListmonkDouble.Faults)] = {
        var failFirst = ListmonkDouble.Faults()
        failFirst.failFirst = 6
        var errors500 = ListmonkDouble.Faults()
        errors500.errorRate = 0.3
        var proxy503 = ListmonkDouble.Faults()
        proxy503.errorRate = 0.3
        proxy503.errorStatus = 503
        var tooMany = ListmonkDouble.Faults()
        tooMany.errorRate = 0.2
        tooMany.errorStatus = 429
        tooMany.retryAfter = "0"
        var delayed = ListmonkDouble.Faults()
        delayed.delay = .milliseconds(30)
        var dropped = ListmonkDouble.Faults()
        dropped.dropRate = 0.25
        return [
            ("fail first 6", failFirst), ("500 at 30%", errors500), ("proxy 503 at 30%", proxy503),
            ("429 at 20%", tooMany), ("30 ms delay", delayed), ("drop 25% unanswered", dropped),
        ]
    }()

    @Test(arguments: 0..<6)
    func everyEventDeliveredExactlyOnceUnderEachFaultMode(_ mode: Int) async throws {
        let (name, faults) = Self.faultModes[mode]
        let double = try await ListmonkDouble.start(faults: faults, seed: UInt64(mode + 1))
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        let n = 40
        for i in 0..<n { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        let dispatcher = Dispatcher(
            outbox: outbox, transport: client, configuration: fastConfiguration(), random: SeededRandom(seed: 9))
        let drained = await drain(dispatcher)
        try await client.shutdown()
        try await double.shutdown()
        #expect(drained, "\(name): did not drain")
        let counts = acceptedCounts(double)
        #expect(counts.count == n, "\(name): \(counts.count) of \(n) distinct events arrived")
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(name): duplicates \(counts.filter { $0.value > 1 })")
        #expect(await outbox.count(.sent) == n)
        #expect(await outbox.count(.dead) == 0)
        let injected = double.log.injectedErrors + double.log.drops
        if name != "30 ms delay" { #expect(injected > 0, "\(name): the fault never fired") }
        let stats = await dispatcher.statistics
        #expect(stats.sent == n && stats.retried == injected, "\(name): \(stats)")
    }

    @Test func failAfterProcessingDuplicatesExactlyTheLostAnswers() async throws {
        var faults = ListmonkDouble.Faults()
        faults.failAfterProcessingRate = 0.2
        let double = try await ListmonkDouble.start(faults: faults, seed: 3)
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        let n = 50
        for i in 0..<n { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        let dispatcher = Dispatcher(outbox: outbox, transport: client, configuration: fastConfiguration())
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let counts = acceptedCounts(double)
        let duplicates = counts.values.reduce(0) { $0 + ($1 - 1) }
        #expect(counts.count == n)
        #expect(double.log.failedAfterProcessing > 0)
        #expect(duplicates == double.log.failedAfterProcessing)
        #expect(await outbox.count(.sent) == n)
    }

    @Test func aRejectedBounceLandsInTheDeadLettersWithListmonksMessage() async throws {
        let double = try await ListmonkDouble.start()
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        await outbox.enqueue(body: Fixtures.body(1), dedupKey: "good")
        let bad = await outbox.enqueue(body: Fixtures.body(2, email: "not an address"), dedupKey: "bad")
        await outbox.enqueue(body: Fixtures.body(3), dedupKey: "good2")
        let dispatcher = Dispatcher(outbox: outbox, transport: client, configuration: fastConfiguration())
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let row = try #require(await outbox.row(bad))
        #expect(row.state == .dead && row.lastStatus == 400 && row.deadBody == "Invalid email.")
        #expect(await outbox.count(.sent) == 2)
        #expect(await dispatcher.statistics.requestsByStatus["400"] == 1)
    }

    static let pauseCauses: [(String, @Sendable (inout ListmonkDouble.Settings) -> Void, String)] = [
        ("wrong credentials", { $0.users["bouncetail"]?.token = "rotated" }, "invalid API credentials"),
        ("missing permission", { $0.users["bouncetail"]?.permissions = [] }, "permission denied: webhooks:post_bounce"),
        ("webhooks disabled", { $0.webhooksEnabled = false }, "Enable bounce webhooks"),
        ("bounce processing disabled", { $0.bounceEnabled = false }, "Enable bounce processing"),
        ("listmonk v3", { $0.legacyAdmin = ("admin", "pw") }, "401"),
    ]

    @Test(arguments: 0..<5)
    func pauseAnswersStopDeliveryLoseNothingAndResumeWhenFixed(_ cause: Int) async throws {
        let (name, breakIt, expected) = Self.pauseCauses[cause]
        var settings = ListmonkDouble.Settings()
        breakIt(&settings)
        let double = try await ListmonkDouble.start(settings: settings)
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        let n = 12
        for i in 0..<n { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        let dispatcher = Dispatcher(outbox: outbox, transport: client, configuration: fastConfiguration())
        let run = Task { await dispatcher.run(untilDrained: true) }

        let paused = await eventually(timeout: .seconds(10)) {
            if case .paused = await dispatcher.health { return true }
            return false
        }
        #expect(paused, "\(name): never paused")
        // Let a few probes fail while paused.
        try await Task.sleep(for: .milliseconds(300))
        guard case .paused(let reason, _, _) = await dispatcher.health else {
            Issue.record("\(name): did not stay paused")
            run.cancel()
            return
        }
        #expect(reason.contains(expected), "\(name): \(reason)")
        #expect(await outbox.count(.dead) == 0)
        #expect(await outbox.count(.pending) == n)
        #expect(
            await outbox.rows.values.allSatisfy { $0.item.attempts == 0 }, "\(name): pause answers counted as attempts")
        let stats = await dispatcher.statistics
        #expect(stats.pauses == 1 && stats.probes >= 2, "\(name): \(stats)")

        double.update { $0 = ListmonkDouble.Settings() }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(15))
            run.cancel()
        }
        await run.value
        watchdog.cancel()
        try await client.shutdown()
        try await double.shutdown()
        #expect(await dispatcher.health == .healthy)
        let counts = acceptedCounts(double)
        #expect(counts.count == n && counts.values.allSatisfy { $0 == 1 }, "\(name): \(counts)")
        #expect(await outbox.count(.sent) == n)
    }

    @Test func theRateLimitHolds() async throws {
        let double = try await ListmonkDouble.start()
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        let n = 30
        for i in 0..<n { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        let dispatcher = Dispatcher(
            outbox: outbox, transport: client, configuration: fastConfiguration(concurrency: 8, rateLimit: 25, burst: 5)
        )
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let times = double.log.requestTimes.sorted()
        #expect(times.count == n)
        // In any one-second window: at most the burst plus one second's worth (loose upper bound).
        var worst = 0
        for (i, start) in times.enumerated() {
            worst = max(worst, times[i...].prefix { $0.timeIntervalSince(start) < 1 }.count)
        }
        #expect(worst <= 5 + 25 + 1, "\(worst) requests in one second")
        // 30 requests with a burst of 5 need at least (30 - 5) / 25 s.
        #expect(times.last!.timeIntervalSince(times.first!) >= 0.9)
    }

    @Test func retryAfterIsHonoured() async throws {
        var faults = ListmonkDouble.Faults()
        faults.failFirst = 1
        faults.failFirstStatus = 429
        faults.retryAfter = "1"
        let double = try await ListmonkDouble.start(faults: faults)
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        for i in 0..<3 { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        var configuration = fastConfiguration(concurrency: 1)
        configuration.backoff.maxDelay = .seconds(5)  // the cap on Retry-After
        let dispatcher = Dispatcher(outbox: outbox, transport: client, configuration: configuration)
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let times = double.log.requestTimes
        #expect(times.count == 4)
        #expect(times[1].timeIntervalSince(times[0]) >= 0.95, "the second request came too early")
        #expect(acceptedCounts(double).count == 3)
    }

    @Test func theCircuitBreakerStopsHammeringAListmonkThatIsDown() async throws {
        var faults = ListmonkDouble.Faults()
        faults.errorRate = 1
        let double = try await ListmonkDouble.start(faults: faults)
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        for i in 0..<20 { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "k\(i)") }
        let dispatcher = Dispatcher(
            outbox: outbox, transport: client,
            configuration: fastConfiguration(concurrency: 1, breakerThreshold: 3, breakerOpen: .milliseconds(300)))
        let run = Task { await dispatcher.run(untilDrained: true) }
        try await Task.sleep(for: .milliseconds(500))
        let requestsWhileDown = double.log.requests
        let health = await dispatcher.health
        // Without the breaker, 10 ms backoff would allow dozens of requests in 500 ms.
        #expect(requestsWhileDown <= 5, "\(requestsWhileDown) requests while down")
        if case .degraded = health {} else { Issue.record("expected degraded, got \(health)") }
        double.updateFaults { $0.errorRate = 0 }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(15))
            run.cancel()
        }
        await run.value
        watchdog.cancel()
        try await client.shutdown()
        try await double.shutdown()
        #expect(await outbox.count(.sent) == 20)
        #expect(await dispatcher.statistics.breakerOpenings >= 1)
    }

    @Test func retriesStopAtTheMaximumAgeWithAClearReason() async throws {
        var faults = ListmonkDouble.Faults()
        faults.errorRate = 1
        faults.errorStatus = 502
        let double = try await ListmonkDouble.start(faults: faults)
        let client = try Fixtures.client(double)
        let outbox = InMemoryOutbox()
        let id = await outbox.enqueue(body: Fixtures.body(1), dedupKey: "k1")
        let dispatcher = Dispatcher(
            outbox: outbox, transport: client, configuration: fastConfiguration(maxAge: .milliseconds(300)))
        #expect(await drain(dispatcher, timeout: .seconds(10)))
        try await client.shutdown()
        try await double.shutdown()
        let row = try #require(await outbox.row(id))
        #expect(row.state == .dead && row.lastStatus == 502)
        #expect(row.deadBody?.hasPrefix("gave up after") == true, "\(row.deadBody ?? "-")")
    }
}
