import BounceCore
import BounceDelivery
import BounceStore
import Foundation
import Testing

/// The dispatcher draining a real SQLite state database into the listmonk double over loopback HTTP.
@Suite(.serialized) struct StateDBOutboxTests {
    final class TempDir {
        let path: String
        init() {
            path = NSTemporaryDirectory() + "bt-delivery-" + UUID().uuidString
            try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        var database: String { path + "/state.db" }
    }

    func open(_ path: String) throws -> StateDB {
        var options = StateDBOptions()
        options.bodyEncoder = { Array(try WebhookBody.encode($0).utf8) }
        return try StateDB(path: path, options: options)
    }

    func enqueue(_ db: StateDB, _ range: Range<Int>, email: ((Int) -> String?)? = nil) throws {
        _ = try db.commit(Batch(events: range.map { Fixtures.event($0, email: email?($0)) }))
    }

    @Test func drainsTheOutboxExactlyOnceUnderFaults() async throws {
        let dir = TempDir()
        let db = try open(dir.database)
        try enqueue(db, 0..<40)
        var faults = ListmonkDouble.Faults()
        faults.errorRate = 0.2
        faults.dropRate = 0.1
        let double = try await ListmonkDouble.start(faults: faults, seed: 11)
        let client = try Fixtures.client(double)
        let dispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: client, configuration: fastConfiguration())
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let counts = acceptedCounts(double)
        #expect(counts.count == 40 && counts.values.allSatisfy { $0 == 1 })
        let status = try db.status()
        #expect(status.sent == 40 && status.pending == 0 && status.dead == 0)
        // The webhook body stored at enqueue is what listmonk got: no dedup key on the wire.
        #expect(double.log.accepted.allSatisfy { !$0.body.contains("dedup_key") })
    }

    @Test func aRejectedBounceIsADeadLetterWithStatusAndMessage() async throws {
        let dir = TempDir()
        let db = try open(dir.database)
        try enqueue(db, 0..<3, email: { $0 == 1 ? "Broken <x@y.z>" : nil })
        let double = try await ListmonkDouble.start()
        let client = try Fixtures.client(double)
        let dispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: client, configuration: fastConfiguration())
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let dead = try db.list(OutboxQuery(states: [.dead]))
        #expect(dead.count == 1)
        #expect(dead.first?.lastStatus == 400 && dead.first?.lastBody == "Invalid email.")
        #expect(try db.status().sent == 2)
    }

    @Test func aPauseLeavesEveryRowPendingUncountedAndUnclaimed() async throws {
        let dir = TempDir()
        let db = try open(dir.database)
        try enqueue(db, 0..<6)
        var settings = ListmonkDouble.Settings()
        settings.webhooksEnabled = false
        let double = try await ListmonkDouble.start(settings: settings)
        let client = try Fixtures.client(double)
        let dispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: client, configuration: fastConfiguration())
        let run = Task { await dispatcher.run(untilDrained: true) }
        #expect(await eventually(timeout: .seconds(10)) { !(await dispatcher.health.isHealthy) })
        try await Task.sleep(for: .milliseconds(200))
        let rows = try db.list(OutboxQuery(states: [.pending, .dead, .sent]))
        #expect(rows.count == 6 && rows.allSatisfy { $0.state == .pending && $0.attempts == 0 })
        // Released, not left claimed: due now (the next due time is not a claim's end minutes away).
        #expect(try db.nextDue().map { $0 <= Date() } == true)
        double.update { $0.webhooksEnabled = true }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(15))
            run.cancel()
        }
        await run.value
        watchdog.cancel()
        try await client.shutdown()
        try await double.shutdown()
        #expect(try db.status().sent == 6)
        #expect(acceptedCounts(double).values.allSatisfy { $0 == 1 })
    }

    @Test func stoppingMidFlightAndRestartingLosesNothing() async throws {
        let dir = TempDir()
        let n = 60
        do {
            let db = try open(dir.database)
            try enqueue(db, 0..<n)
        }
        var faults = ListmonkDouble.Faults()
        faults.delay = .milliseconds(20)
        let double = try await ListmonkDouble.start(faults: faults)
        let client = try Fixtures.client(double)
        // First run: stopped while requests are in flight, as on SIGTERM.
        do {
            let db = try open(dir.database)
            let dispatcher = Dispatcher(
                outbox: StateDBOutbox(database: db), transport: client, configuration: fastConfiguration())
            let run = Task { await dispatcher.run() }
            _ = await eventually { double.log.requests >= 15 }
            run.cancel()
            await run.value
            #expect(try db.status().pending > 0, "stopped too late to test anything")
        }
        // A new process: opens the database, takes over the claims, drains.
        let db = try open(dir.database)
        try db.releaseClaims()
        let dispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: client, configuration: fastConfiguration())
        #expect(await drain(dispatcher))
        try await client.shutdown()
        try await double.shutdown()
        let counts = acceptedCounts(double)
        #expect(counts.count == n, "lost \(n - counts.count)")
        // In-flight requests were allowed to finish and were recorded, so nothing went twice.
        #expect(counts.values.allSatisfy { $0 == 1 }, "duplicates: \(counts.filter { $0.value > 1 })")
        #expect(try db.status().sent == n)
    }
}
