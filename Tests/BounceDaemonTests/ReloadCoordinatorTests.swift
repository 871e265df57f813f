import Synchronization
import Testing

@testable import BounceDaemon

@Suite struct ReloadCoordinatorTests {
    struct BrokenSet: Error, CustomStringConvertible {
        var description: String { "patterns.d/local.toml:7: rule \"x\" has no test vector" }
    }

    /// Stands in for the pattern directory: what the next load will find.
    final class Source: Sendable {
        let next = Mutex<Result<[String], BrokenSet>>(.success([]))
        func load() throws -> [String] { try next.withLock { try $0.get() } }
    }

    @Test func anAcceptedReloadReplacesTheValueAndARefusedOneKeepsIt() async {
        let source = Source()
        let (metrics, registry) = MetricsBootstrap.isolated()
        let seen = Mutex<[[String]]>([])
        let coordinator = ReloadCoordinator(
            name: "pattern set", initial: ["v1"], metrics: metrics,
            loader: { try source.load() },
            onAccepted: { value in seen.withLock { $0.append(value) } })
        #expect(coordinator.current == ["v1"])

        source.next.withLock { $0 = .success(["v2", "rule"]) }
        #expect(await coordinator.reload() == .accepted)
        #expect(coordinator.current == ["v2", "rule"])

        source.next.withLock { $0 = .failure(BrokenSet()) }
        let refused = await coordinator.reload()
        #expect(refused == .refused("patterns.d/local.toml:7: rule \"x\" has no test vector"))
        #expect(coordinator.current == ["v2", "rule"], "the old value stays after a refused reload")
        #expect(coordinator.acceptedCount == 1)
        #expect(seen.withLock { $0 } == [["v2", "rule"]], "onAccepted runs only for accepted values")

        let text = registry.emitToString()
        #expect(text.contains(#"bouncetail_pattern_reloads_total{result="accepted"} 1"#))
        #expect(text.contains(#"bouncetail_pattern_reloads_total{result="refused"} 1"#))
    }

    @Test func concurrentReloadsRunOneAtATime() async {
        let running = Mutex<(now: Int, max: Int)>((0, 0))
        let counter = Mutex(0)
        let coordinator = ReloadCoordinator(
            name: "value", initial: 0,
            loader: {
                running.withLock {
                    $0.now += 1; $0.max = max($0.max, $0.now)
                }
                await Task.yield()
                let n = counter.withLock {
                    $0 += 1; return $0
                }
                running.withLock { $0.now -= 1 }
                return n
            })
        await withTaskGroup(of: ReloadOutcome.self) { group in
            for _ in 0..<8 { group.addTask { await coordinator.reload() } }
            for await outcome in group { #expect(outcome == .accepted) }
        }
        #expect(running.withLock { $0.max } == 1)
        #expect(coordinator.current == 8)
    }
}
