import BounceDelivery
import Foundation
import Testing

/// Settings that keep real-time dispatcher tests short.
func fastConfiguration(
    concurrency: Int = 4, rateLimit: Double? = nil, burst: Double = 10, maxAge: Duration = .seconds(3600),
    breakerThreshold: Int = 50, breakerOpen: Duration = .milliseconds(100)
) -> DispatcherConfiguration {
    DispatcherConfiguration(
        concurrency: concurrency, rateLimit: rateLimit, burst: burst,
        backoff: BackoffPolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(100), maxAge: maxAge),
        breakerThreshold: breakerThreshold, breakerOpen: breakerOpen, breakerMaxOpen: .milliseconds(400),
        probeInterval: .milliseconds(50), maxProbeInterval: .milliseconds(100), idlePoll: .milliseconds(50))
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(20), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Runs the dispatcher until the outbox is drained, or cancels it after `timeout`. Returns false on timeout.
@discardableResult
func drain(_ dispatcher: Dispatcher, timeout: Duration = .seconds(30)) async -> Bool {
    let run = Task { await dispatcher.run(untilDrained: true) }
    let timedOut = Locked(false)
    let watchdog = Task {
        try await Task.sleep(for: timeout)
        timedOut.withLock { $0 = true }
        run.cancel()
    }
    await run.value
    watchdog.cancel()
    return !timedOut.current
}

/// How often each e-mail address reached the double.
func acceptedCounts(_ double: ListmonkDouble) -> [String: Int] {
    double.log.accepted.reduce(into: [:]) { $0[$1.bounce.email, default: 0] += 1 }
}
