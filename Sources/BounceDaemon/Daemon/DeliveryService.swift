import BounceDelivery
import BounceStore
import Foundation
import Logging

/// Delivery of the outbox to the configured sink, by the one process that holds the delivery lease.
public enum DeliveryService {
    /// Why delivery cannot start or stopped for good.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The listmonk client the configuration describes.
    public static func listmonkClient(_ config: BounceTailConfig, logger: Logger) throws -> ListmonkClient {
        guard let url = config.listmonk.url else {
            throw Failure(
                description: "[sink] kind = \"webhook\" needs [listmonk] url, e.g. url = \"https://lists.example.com/\""
            )
        }
        guard let user = config.listmonk.username else {
            throw Failure(
                description:
                    "[listmonk] username is missing: the name of a listmonk API user with the webhooks:post_bounce permission"
            )
        }
        let token: String
        do {
            guard let t = try config.listmonk.resolveToken() else {
                throw Failure(
                    description:
                        "no listmonk token: set [listmonk] token_file, or the environment variable \(config.listmonk.tokenEnv)"
                )
            }
            token = t
        }
        let credentials = try ListmonkCredentials(
            user: user, token: token, scheme: config.listmonk.auth == .basic ? .basic : .token)
        return try ListmonkClient(
            configuration: ListmonkClientConfiguration(
                baseURL: url, credentials: credentials, caFile: config.listmonk.caFile,
                connectTimeout: config.listmonk.connectTimeout.duration,
                requestTimeout: config.listmonk.requestTimeout.duration,
                maxConnections: max(1, config.listmonk.concurrency)),
            logger: logger)
    }

    static func dispatcherConfiguration(_ config: BounceTailConfig) -> DispatcherConfiguration {
        DispatcherConfiguration(
            concurrency: config.listmonk.concurrency,
            rateLimit: config.listmonk.ratePerSecond > 0 ? config.listmonk.ratePerSecond : nil,
            burst: max(1, config.listmonk.ratePerSecond),
            backoff: BackoffPolicy(maxAge: config.listmonk.maxAge.duration))
    }

    /// The transport for the configured sink, and how to close it; nil for the local store (written in the
    /// ingest transaction, nothing left to deliver).
    static func transport(_ config: BounceTailConfig, logger: Logger) throws -> (
        any BounceTransport, @Sendable () async -> Void
    )? {
        switch config.sink.kind {
        case .sqlite:
            return nil
        case .webhook:
            let client = try listmonkClient(config, logger: logger)
            return (client, { try? await client.shutdown() })
        case .jsonl:
            let sink = try JSONLinesSink(path: config.sink.jsonlPath == "-" ? nil : config.sink.jsonlPath)
            return (sink, {})
        }
    }

    /// Runs delivery until cancelled: waits for the lease (another process may deliver; this one then only
    /// enqueues), drains the outbox, reports pauses as unhealthy.
    public static func run(
        config: BounceTailConfig, db: StateDB, context: DaemonShell.Context, logger: Logger, wake: WakeSignal? = nil
    ) async throws {
        guard let (transport, close) = try transport(config, logger: logger) else {
            // The local store: nothing to deliver. Stay until the daemon stops.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        defer { Task { await close() } }
        let owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):run"
        var toldWaiting = false
        while !Task.isCancelled {
            let lease = try db.acquireLease(owner: owner, ttl: 30)
            if lease.isAcquired { break }
            if case .heldBy(let holder) = lease, !toldWaiting {
                logger.notice(
                    "another process delivers (pid \(holder.pid) on \(holder.host)); this one only enqueues until its lease ends"
                )
                toldWaiting = true
            }
            try? await Task.sleep(for: .seconds(10))
        }
        if Task.isCancelled { return }
        _ = try db.releaseClaims()
        let dispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: transport, configuration: dispatcherConfiguration(config),
            logger: logger)
        let watcher = Task {
            var last = ""
            var counted: [String: Int] = [:]
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                _ = try? db.renewLease(owner: owner, ttl: 30)
                await dispatcher.wake()
                for (status, n) in await dispatcher.statistics.requestsByStatus where n > counted[status, default: 0] {
                    context.metrics.httpResponses(status: status).increment(by: n - counted[status, default: 0])
                    counted[status] = n
                }
                let health = await dispatcher.health
                let text = "\(health)"
                if text != last {
                    last = text
                    if case .paused(let reason, _, _) = health {
                        context.health.setUnhealthy("delivery", reason: reason)
                        context.metrics.dispatcherPaused.record(1)
                    } else {
                        context.health.setHealthy("delivery")
                        context.metrics.dispatcherPaused.record(0)
                    }
                }
            }
        }
        let waker = Task {
            guard let wake else { return }
            for await _ in wake.stream { await dispatcher.wake() }
        }
        await dispatcher.run()
        waker.cancel()
        watcher.cancel()
        try? db.releaseLease(owner: owner)
    }

    /// Backfill: delivers until the outbox has nothing pending, or stops with an error when listmonk answers
    /// that every request will fail (credentials, disabled webhooks); the events stay in the outbox.
    public static func untilDrained(config: BounceTailConfig, db: StateDB, logger: Logger) async throws
        -> DeliveryStats?
    {
        guard let (transport, close) = try transport(config, logger: logger) else { return nil }
        let owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):backfill"
        let lease = try db.acquireLease(owner: owner, ttl: 60)
        if case .heldBy(let holder) = lease {
            logger.notice(
                "another process delivers (pid \(holder.pid) on \(holder.host)): the new events wait in its outbox")
            await close()
            return nil
        }
        _ = try db.releaseClaims()
        let dispatcher = Dispatcher(
            outbox: StateDBOutbox(database: db), transport: transport, configuration: dispatcherConfiguration(config),
            logger: logger)
        let run = Task { await dispatcher.run(untilDrained: true) }
        var pausedFor = 0
        var degradedFor = 0
        while true {
            try? await Task.sleep(for: .seconds(1))
            _ = try? db.renewLease(owner: owner, ttl: 60)
            switch await dispatcher.health {
            case .paused: pausedFor += 1
            case .degraded: degradedFor += 1
            case .healthy: (pausedFor, degradedFor) = (0, 0)
            }
            // A backfill does not wait days for listmonk: the outbox keeps the events for `run`.
            if pausedFor >= 3 || degradedFor >= 60 { run.cancel() }
            if run.isCancelled || (try? db.status().pending) == 0 { break }
        }
        await run.value
        let health = await dispatcher.health
        let stats = await dispatcher.statistics
        try? db.releaseLease(owner: owner)
        await close()
        if case .degraded(let reason, _) = health, degradedFor >= 60 {
            throw Failure(
                description:
                    "listmonk has been failing for a minute (\(reason)). The bounces stay in the outbox; bouncetail run delivers them once listmonk is back"
            )
        }
        if case .paused(let reason, _, _) = health {
            throw Failure(
                description:
                    "delivery to listmonk is paused: \(reason). The bounces stay in the outbox; fix it (bouncetail check-listmonk explains) and run bouncetail run or this backfill again"
            )
        }
        return stats
    }
}
