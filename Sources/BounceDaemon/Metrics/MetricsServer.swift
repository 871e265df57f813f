import Hummingbird
import Logging
import Prometheus
import Synchronization

/// The HTTP endpoint for operators: `GET /metrics` (Prometheus text format) and `GET /healthz`
/// (`200 ok`, or `503` with one `component: reason` line per problem), served by Hummingbird.
public struct MetricsServer: Sendable {
    /// Where to listen.
    public var listen: ListenAddress
    private let registry: PrometheusCollectorRegistry
    private let health: HealthRegistry
    private let logger: Logger

    /// A server for `registry` and `health` on `listen`.
    public init(
        listen: ListenAddress, registry: PrometheusCollectorRegistry, health: HealthRegistry,
        logger: Logger = Logger(label: "bouncetail.metrics")
    ) {
        self.listen = listen
        self.registry = registry
        self.health = health
        self.logger = logger
    }

    /// Serves until the calling task is cancelled. `onListening` receives the bound port (useful with port 0).
    /// Throws when the address cannot be bound (in use, not local).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        let registry = self.registry
        let health = self.health
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            let (status, text) = HealthRegistry.healthz(health.status, notes: health.notes)
            return Response(
                status: status == 200 ? .ok : .serviceUnavailable, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let logger = self.logger
        let listen = self.listen
        // Hummingbird logs task cancellation (our normal stop) at error level; its other failures
        // reach us as thrown errors, so its own log is kept to critical only.
        var serverLogger = logger
        serverLogger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.info("serving /metrics and /healthz", metadata: ["address": "\(listen.host):\(port)"])
                await onListening(port)
            },
            logger: serverLogger
        )
        try await app.run()
    }

    /// Starts serving in a new task and returns once the port is bound (or throws when it cannot be).
    public func start() async throws -> RunningMetricsServer {
        let pending = PendingPort()
        let port = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            pending.set(continuation)
            let serving = Task {
                do {
                    try await self.run(onListening: { port in pending.resume(with: .success(port)) })
                    pending.resume(with: .failure(CancellationError()))
                } catch {
                    pending.resume(with: .failure(error))
                }
            }
            pending.task = serving
        }
        return RunningMetricsServer(port: port, task: pending.task!)
    }
}

/// Hands the bound port (or the bind error) to `start()` exactly once.
private final class PendingPort: Sendable {
    private let continuation = Mutex<CheckedContinuation<Int, any Error>?>(nil)
    private let serving = Mutex<Task<Void, Never>?>(nil)

    var task: Task<Void, Never>? {
        get { serving.withLock { $0 } }
        set { serving.withLock { $0 = newValue } }
    }

    func set(_ c: CheckedContinuation<Int, any Error>) { continuation.withLock { $0 = c } }

    func resume(with result: Result<Int, any Error>) {
        continuation.withLock { c in
            c?.resume(with: result)
            c = nil
        }
    }
}

/// A server started with `MetricsServer.start()`.
public struct RunningMetricsServer: Sendable {
    /// The bound TCP port.
    public let port: Int
    let task: Task<Void, Never>

    /// Stops serving and waits until the listening socket is closed.
    public func stop() async {
        task.cancel()
        await task.value
    }
}
