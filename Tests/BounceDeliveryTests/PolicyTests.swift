import Foundation
import Testing

@testable import BounceDelivery

@Suite struct BackoffPolicyTests {
    let policy = BackoffPolicy(baseDelay: .seconds(1), maxDelay: .seconds(60), maxAge: .seconds(3 * 86_400))

    @Test func ceilingDoublesUpToTheMaximum() {
        #expect(policy.ceiling(afterAttempts: 1) == .seconds(1))
        #expect(policy.ceiling(afterAttempts: 2) == .seconds(2))
        #expect(policy.ceiling(afterAttempts: 5) == .seconds(16))
        #expect(policy.ceiling(afterAttempts: 7) == .seconds(60))
        #expect(policy.ceiling(afterAttempts: 500) == .seconds(60))
    }

    @Test func fullJitterStaysWithinTheCeilingAndSpreads() {
        var random = SeededRandom(seed: 7)
        var waits: [Double] = []
        for _ in 0..<200 {
            guard case .retry(let at) = policy.decide(attempts: 4, since: t0, now: t0, lastError: "x", random: &random)
            else { Issue.record("expected a retry"); return }
            waits.append(at.timeIntervalSince(t0))
        }
        #expect(waits.allSatisfy { $0 >= 0 && $0 <= 8 })
        // Full jitter, not "ceiling plus a little": both halves of the range are used.
        #expect(waits.contains { $0 < 2 } && waits.contains { $0 > 6 })
    }

    @Test func serverDelayReplacesJitterAndIsCapped() {
        var random = SeededRandom(seed: 1)
        #expect(
            policy.decide(attempts: 1, since: t0, now: t0, serverDelay: .seconds(30), lastError: "429", random: &random)
                == .retry(at: t0.addingTimeInterval(30)))
        #expect(
            policy.decide(
                attempts: 1, since: t0, now: t0, serverDelay: .seconds(3600), lastError: "429", random: &random)
                == .retry(at: t0.addingTimeInterval(60)))
    }

    @Test func givesUpByAgeNotByCount() {
        var random = SeededRandom(seed: 1)
        // Many attempts but young: still retried.
        if case .giveUp = policy.decide(
            attempts: 10_000, since: t0, now: t0.addingTimeInterval(3600), lastError: "x", random: &random)
        {
            Issue.record("gave up by count")
        }
        let late = policy.decide(
            attempts: 12, since: t0, now: t0.addingTimeInterval(3 * 86_400 + 5), lastError: "503 from proxy",
            random: &random)
        guard case .giveUp(let reason) = late else {
            Issue.record("expected give-up, got \(late)")
            return
        }
        #expect(reason.hasPrefix("gave up after 3 days and 12 attempts"))
        #expect(reason.contains("503 from proxy"))
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenOneTokenPerInterval() {
        var bucket = TokenBucket(rate: 10, burst: 3)
        #expect(bucket.take(now: t0) == nil)
        #expect(bucket.take(now: t0) == nil)
        #expect(bucket.take(now: t0) == nil)
        let wait = bucket.take(now: t0)
        #expect(wait == .milliseconds(100))
        #expect(bucket.take(now: t0.addingTimeInterval(0.05)) != nil)
        #expect(bucket.take(now: t0.addingTimeInterval(0.1)) == nil)
    }

    @Test func refillIsCappedAtTheBurst() {
        var bucket = TokenBucket(rate: 100, burst: 5)
        for _ in 0..<5 { _ = bucket.take(now: t0) }
        #expect(bucket.available(now: t0.addingTimeInterval(3600)) == 5)
    }

    @Test func sustainedRateMatchesTheLimit() {
        var bucket = TokenBucket(rate: 20, burst: 1)
        var clock = t0
        var sent = 0
        // Simulated ten seconds: the caller sleeps exactly as long as told.
        var steps = 0
        while clock < t0.addingTimeInterval(10), steps < 10_000 {
            steps += 1
            if let wait = bucket.take(now: clock) { clock = clock.addingTimeInterval(wait.seconds) } else { sent += 1 }
        }
        #expect((199...201).contains(sent))
    }
}

@Suite struct CircuitBreakerTests {
    @Test func opensAfterTheThresholdAndHalfOpensForOneTrial() {
        var breaker = CircuitBreaker(failureThreshold: 3, openDuration: .seconds(10), maxOpenDuration: .seconds(40))
        #expect(breaker.recordFailure(now: t0, error: "refused") == false)
        #expect(breaker.recordFailure(now: t0, error: "refused") == false)
        #expect(breaker.permission(now: t0) == .allowed)
        #expect(breaker.recordFailure(now: t0, error: "refused") == true)
        #expect(breaker.permission(now: t0.addingTimeInterval(5)) == .wait(until: t0.addingTimeInterval(10)))
        #expect(breaker.permission(now: t0.addingTimeInterval(10)) == .trial)
        // Only one trial at a time.
        if case .wait = breaker.permission(now: t0.addingTimeInterval(10)) {
        } else {
            Issue.record("second trial allowed")
        }
        breaker.recordSuccess()
        #expect(breaker.permission(now: t0.addingTimeInterval(11)) == .allowed)
        #expect(!breaker.isOpen)
    }

    @Test func aFailedTrialDoublesTheOpenTimeUpToTheMaximum() {
        var breaker = CircuitBreaker(failureThreshold: 1, openDuration: .seconds(10), maxOpenDuration: .seconds(25))
        breaker.recordFailure(now: t0, error: "e")
        var now = t0.addingTimeInterval(10)
        #expect(breaker.permission(now: now) == .trial)
        breaker.recordFailure(now: now, error: "e")
        #expect(breaker.state == .open(until: now.addingTimeInterval(20), lastError: "e"))
        now = now.addingTimeInterval(20)
        #expect(breaker.permission(now: now) == .trial)
        breaker.recordFailure(now: now, error: "e")
        #expect(breaker.state == .open(until: now.addingTimeInterval(25), lastError: "e"))
    }

    @Test func successResetsTheCount() {
        var breaker = CircuitBreaker(failureThreshold: 2)
        breaker.recordFailure(now: t0, error: "e")
        breaker.recordSuccess()
        #expect(breaker.recordFailure(now: t0, error: "e") == false)
    }
}

@Suite struct PauseStateTests {
    @Test func pauseProbeSlowerThenResume() {
        var pause = PauseState(probeInterval: .seconds(10), maxProbeInterval: .seconds(20))
        #expect(pause.probeDue(now: t0) == nil)
        let started = pause.pause(reason: "403 invalid API credentials", status: 403, now: t0)
        let startedAgain = pause.pause(reason: "again", status: 403, now: t0.addingTimeInterval(1))
        #expect(started && !startedAgain)
        #expect(pause.probeDue(now: t0.addingTimeInterval(9)) == false)
        #expect(pause.probeDue(now: t0.addingTimeInterval(10)) == true)
        pause.probeFailed(reason: "403 still", status: 403, now: t0.addingTimeInterval(10))
        #expect(pause.probeDue(now: t0.addingTimeInterval(24)) == false)
        #expect(pause.probeDue(now: t0.addingTimeInterval(25)) == true)
        pause.probeFailed(reason: "403 still", status: 403, now: t0.addingTimeInterval(25))
        // Capped at the maximum interval.
        #expect(pause.probeDue(now: t0.addingTimeInterval(45)) == true)
        guard case .paused(let reason, let status, let since, _) = pause.phase else {
            Issue.record("not paused")
            return
        }
        #expect(reason == "403 still" && status == 403 && since == t0)
        #expect(pause.resume(now: t0.addingTimeInterval(50)) == .seconds(50))
        #expect(!pause.isPaused)
    }
}
