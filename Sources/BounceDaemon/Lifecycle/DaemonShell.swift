import Logging
import Prometheus

/// The operational shell around `bouncetail run`'s pipeline: metrics and `/healthz`, signals,
/// sd_notify (READY, STATUS, WATCHDOG, RELOADING, STOPPING).
///
/// The pipeline runs as a child task; it must return (after committing) when cancelled. SIGTERM and
/// SIGINT cancel it; SIGHUP calls `onReload` (e.g. `patterns.reload()` of a `ReloadCoordinator`).
/// When the pipeline ends by itself or throws, the shell stops too and rethrows.
public struct DaemonShell: Sendable {
    /// What the pipeline gets from the shell.
    public struct Context: Sendable {
        /// The metrics facade (process-wide Prometheus registry).
        public var metrics: BounceMetrics
        /// The health registry behind `/healthz`.
        public var health: HealthRegistry
        /// For `STATUS=` lines (`notifier.status("following 2 sources, 0 pending")`).
        public var notifier: SystemdNotifier
    }

    private let config: BounceTailConfig
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let registry: PrometheusCollectorRegistry
    private let metrics: BounceMetrics

    /// A shell for `config`. With `isolatedMetrics` the metrics go to a private registry instead of
    /// the process-wide bootstrap (tests).
    public init(
        config: BounceTailConfig, logger: Logger = Logger(label: "bouncetail"),
        notifier: SystemdNotifier = SystemdNotifier(), isolatedMetrics: Bool = false
    ) {
        self.config = config
        self.logger = logger
        self.notifier = notifier
        if isolatedMetrics {
            (metrics, registry) = MetricsBootstrap.isolated()
        } else {
            registry = MetricsBootstrap.bootstrapPrometheus()
            metrics = BounceMetrics()
        }
    }

    /// Runs until a shutdown signal or the pipeline's end.
    /// - Parameters:
    ///   - signals: The signal events; by default SIGHUP/SIGTERM/SIGINT of this process.
    ///   - onListening: Called with the metrics port once it is bound (useful with port 0).
    ///   - onReload: Run for each SIGHUP, one at a time.
    ///   - isAlive: Asked before each watchdog ping; return false when the pipeline is wedged.
    ///   - pipeline: The daemon's work.
    public func run(
        signals: AsyncStream<SignalEvent> = SignalEvents.stream(),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onReload: @escaping @Sendable () async -> Void = {},
        isAlive: @escaping @Sendable () async -> Bool = { true },
        pipeline: @escaping @Sendable (Context) async throws -> Void
    ) async throws {
        let health = HealthRegistry(metrics: metrics)
        let context = Context(metrics: metrics, health: health, notifier: notifier)
        let logger = self.logger
        let notifier = self.notifier

        var server: RunningMetricsServer? = nil
        if config.metrics.enabled {
            do {
                server = try await MetricsServer(
                    listen: config.metrics.listen, registry: registry, health: health, logger: logger
                ).start()
            } catch {
                throw DaemonShellError(
                    description:
                        "cannot listen on \(config.metrics.listen) for /metrics and /healthz (\(error)); free the port or change metrics.listen"
                )
            }
            await onListening(server!.port)
        }

        let watchdog = Task { await notifier.runWatchdog(isAlive: isAlive) }
        notifier.ready(status: "running")
        logger.info(
            "bouncetail started",
            metadata: ["metrics": "\(config.metrics.enabled ? config.metrics.listen.description : "off")"])

        // Whichever comes first: a shutdown signal, or the pipeline ending by itself. Cancelling the
        // group cancels the pipeline, which commits and returns; the signal loop ends with it.
        let result: Result<Void, any Error> = await withTaskGroup(of: ShellEvent.self) { group in
            group.addTask {
                do {
                    try await pipeline(context)
                    return .pipelineEnded(.success(()))
                } catch {
                    return .pipelineEnded(.failure(error))
                }
            }
            group.addTask {
                for await event in signals {
                    switch event {
                    case .reload:
                        logger.notice("SIGHUP: reloading")
                        notifier.reloading()
                        await onReload()
                        notifier.ready(status: "running")
                    case .shutdown(let signal):
                        logger.notice("shutting down", metadata: ["signal": "\(signal)"])
                        return .shutdownRequested
                    }
                }
                return .signalsEnded
            }
            var outcome: Result<Void, any Error>? = nil
            while let event = await group.next() {
                switch event {
                case .shutdownRequested:
                    notifier.stopping(status: "stopping: committing and closing")
                    group.cancelAll()
                case .signalsEnded:
                    continue
                case .pipelineEnded(let r):
                    outcome = r
                    group.cancelAll()
                }
            }
            return outcome ?? .success(())
        }
        notifier.stopping()
        watchdog.cancel()
        await watchdog.value
        await server?.stop()
        switch result {
        case .success:
            logger.info("bouncetail stopped")
        case .failure(let error) where error is CancellationError:
            logger.info("bouncetail stopped")
        case .failure(let error):
            logger.error("bouncetail stopped by an error", metadata: ["error": "\(error)"])
            throw error
        }
    }
}

private enum ShellEvent: Sendable {
    case pipelineEnded(Result<Void, any Error>)
    case shutdownRequested
    case signalsEnded
}

/// The shell could not start.
public struct DaemonShellError: Error, Sendable, CustomStringConvertible {
    /// What failed and what to do.
    public var description: String
}
