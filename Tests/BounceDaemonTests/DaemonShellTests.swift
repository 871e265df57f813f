import Synchronization
import Testing

@testable import BounceDaemon

/// Shared between the test and the shell's closures.
final class ShellTestState: Sendable {
    let reloads = Counter()
    let pipelineState = Box("not started")
    let observations = Box<[String]>([])

    final class Counter: Sendable {
        private let m = Mutex(0)
        func withLock<R: Sendable>(_ body: (inout Int) -> R) -> R { m.withLock { body(&$0) } }
    }

    final class Box<T: Sendable>: Sendable {
        private let m: Mutex<T>
        init(_ value: T) { m = Mutex(value) }
        func withLock<R: Sendable>(_ body: (inout T) -> R) -> R { m.withLock { body(&$0) } }
    }
}

@Suite struct DaemonShellTests {
    @Test func servesHealthReloadsOnHupAndStopsThePipelineOnShutdown() async throws {
        var config = BounceTailConfig()
        config.metrics.listen = ListenAddress(host: "127.0.0.1", port: 0)
        let shell = DaemonShell(config: config, notifier: SystemdNotifier(enabled: false), isolatedMetrics: true)
        let (signals, send) = AsyncStream.makeStream(of: SignalEvent.self)
        let state = ShellTestState()
        let reloads = state.reloads, pipelineState = state.pipelineState, observations = state.observations

        try await shell.run(
            signals: signals,
            onListening: { port in
                Task {
                    // The pipeline marks itself unhealthy first; /healthz must show it, then a reload, then shutdown.
                    while pipelineState.withLock({ $0 }) != "running" { await Task.yield() }
                    let health = try? await LoopbackHTTP.get(port: port, path: "/healthz")
                    observations.withLock { $0.append("\(health?.status ?? 0) \(health?.body ?? "")") }
                    send.yield(.reload)
                    while reloads.withLock({ $0 }) == 0 { await Task.yield() }
                    send.yield(.shutdown(signal: 15))
                }
            },
            onReload: { reloads.withLock { $0 += 1 } },
            pipeline: { context in
                context.health.setUnhealthy("source:/var/log/mail.log", reason: "unreadable: permission denied")
                context.metrics.linesRead(source: "mail.log").increment()
                pipelineState.withLock { $0 = "running" }
                // Run until cancelled, as a follower does.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                pipelineState.withLock { $0 = "cancelled and committed" }
            })

        #expect(reloads.withLock { $0 } == 1)
        #expect(pipelineState.withLock { $0 } == "cancelled and committed")
        #expect(
            observations.withLock { $0 } == ["503 unhealthy\nsource:/var/log/mail.log: unreadable: permission denied\n"]
        )
    }

    @Test func aPipelineErrorStopsTheShellAndIsRethrown() async {
        struct Broken: Error {}
        var config = BounceTailConfig()
        config.metrics.enabled = false
        let shell = DaemonShell(config: config, notifier: SystemdNotifier(enabled: false), isolatedMetrics: true)
        let (signals, _) = AsyncStream.makeStream(of: SignalEvent.self)
        await #expect(throws: Broken.self) {
            try await shell.run(signals: signals, pipeline: { _ in throw Broken() })
        }
    }
}
