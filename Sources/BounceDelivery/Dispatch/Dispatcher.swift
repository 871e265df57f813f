import BounceStore
import Foundation
import Logging

/// Drains the outbox into a transport (listmonk's webhook, a JSON Lines file): bounded concurrency, a token-bucket
/// rate limit, per-event backoff with an age limit, a circuit breaker, and a pause for answers every request would
/// get.
///
/// The rules that keep bounces neither lost nor silently dropped:
/// - an event is marked sent only after the transport accepted it (a 2xx);
/// - a 400 moves it to the dead letters with listmonk's message; so does the age limit, with the last error;
/// - a pause answer (401/403/404/listmonk's 503, TLS trust, a redirect) changes no event: the dispatcher stops,
///   reports ``DeliveryHealth/paused(reason:status:since:)``, probes slowly and resumes by itself.
///
/// Run it with ``run(untilDrained:)`` in a task; cancel the task to stop (requests in flight finish first).
/// Call ``wake()`` after committing new outbox rows so they go out without waiting for the idle poll.
public actor Dispatcher {
    public nonisolated let configuration: DispatcherConfiguration
    private let outbox: any DeliveryOutbox
    private let transport: any BounceTransport
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var random: AnyRandomGenerator

    private var bucket: TokenBucket?
    private var breaker: CircuitBreaker
    private var pause: PauseState
    private var notBefore: Date?
    private var inFlight: Set<Int64> = []
    private var probeInFlight = false
    private var stats = DeliveryStats()
    private var lastOutboxError: String?

    private var waiter: CheckedContinuation<Void, Never>?
    private var waitGeneration = 0
    private var pendingWake = false

    /// - Parameters:
    ///   - outbox: the queue to drain.
    ///   - transport: where events go.
    ///   - configuration: pacing and retry settings.
    ///   - now: the clock (injected for tests).
    ///   - random: the jitter source (injected for tests).
    ///   - logger: where pauses, resumptions, dead letters and breaker changes are logged.
    public init(
        outbox: any DeliveryOutbox, transport: any BounceTransport, configuration: DispatcherConfiguration = .init(),
        now: @escaping @Sendable () -> Date = { Date() },
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        logger: Logger = Logger(label: "bouncetail.dispatcher")
    ) {
        self.outbox = outbox
        self.transport = transport
        self.configuration = configuration
        self.now = now
        self.random = AnyRandomGenerator(base: random)
        self.logger = logger
        self.bucket = configuration.rateLimit.map { TokenBucket(rate: $0, burst: configuration.burst) }
        self.breaker = CircuitBreaker(
            failureThreshold: configuration.breakerThreshold, openDuration: configuration.breakerOpen,
            maxOpenDuration: configuration.breakerMaxOpen)
        self.pause = PauseState(
            probeInterval: configuration.probeInterval, maxProbeInterval: configuration.maxProbeInterval)
    }

    /// Delivery's state: healthy, degraded (listmonk looks down) or paused (with the error an operator must fix).
    public var health: DeliveryHealth {
        if case .paused(let reason, let status, let since, _) = pause.phase {
            return .paused(reason: reason, status: status, since: since)
        }
        if case .open(let until, let lastError) = breaker.state {
            return .degraded(reason: lastError, until: until)
        }
        return .healthy
    }

    /// Counters since start.
    public var statistics: DeliveryStats { stats }

    /// Events being sent right now.
    public var inFlightCount: Int { inFlight.count }

    /// New events were committed (or the operator released some): look at the outbox now.
    public func wake() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pendingWake = true
        }
    }

    /// Drains the outbox until the task is cancelled, or with `untilDrained` until no event is pending
    /// (sent, dead or held all count as done). Requests in flight finish before it returns.
    public func run(untilDrained: Bool = false) async {
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                let t = now()
                if pause.isPaused {
                    if pause.probeDue(now: t) == true, !probeInFlight, inFlight.isEmpty {
                        probeInFlight = true
                        stats.probes += 1
                        group.addTask { await self.probe() }
                    }
                    await idle(until: probeWakeTime(t))
                    continue
                }
                if let notBefore, t < notBefore {
                    await idle(until: notBefore)
                    continue
                }
                let free = configuration.concurrency - inFlight.count
                if free <= 0 {
                    await idle(until: t.addingTimeInterval(configuration.idlePoll.seconds))
                    continue
                }
                let permission = breaker.permission(now: t)
                if case .wait(let until) = permission {
                    await idle(until: until)
                    continue
                }
                let isTrial = permission == .trial
                let items = await claim(limit: isTrial ? 1 : free, now: t)
                if items.isEmpty {
                    if isTrial { breaker.recordSuccess() }  // nothing to try: let the next event be the trial
                    if untilDrained, inFlight.isEmpty, !probeInFlight, await nothingPending() { break }
                    // With requests in flight, their completion wakes us; otherwise sleep until the next due event.
                    let next =
                        inFlight.isEmpty ? await nextLook(t) : t.addingTimeInterval(configuration.idlePoll.seconds)
                    await idle(until: next)
                    continue
                }
                for (index, item) in items.enumerated() {
                    await takeToken()
                    // A pause may have begun while we waited for a token: the rest would get the same answer.
                    if pause.isPaused || Task.isCancelled {
                        for unsent in items[index...] { await release(unsent) }
                        break
                    }
                    inFlight.insert(item.id)
                    group.addTask { await self.send(item) }
                }
            }
            await group.waitForAll()
        }
    }

    // MARK: - Sending

    private func send(_ item: OutboxItem) async {
        let result = await deliverShielded(item)
        await handle(result, for: item, asProbe: false)
    }

    /// Sends outside the caller's cancellation: on shutdown a request in flight completes and its answer is
    /// recorded, instead of being cut off after listmonk may already have processed it.
    private nonisolated func deliverShielded(_ item: OutboxItem) async -> DeliveryResult {
        let transport = self.transport
        return await Task { await transport.deliver(body: item.body, dedupKey: item.dedupKey) }.value
    }

    private func probe() async {
        if let result = await transport.probe() {
            count(result)
            await settleProbe(result)
        } else if let item = await claim(limit: 1, now: now()).first {
            // No probe of its own: the oldest due event is the probe.
            inFlight.insert(item.id)
            let result = await deliverShielded(item)
            await handle(result, for: item, asProbe: true)
        } else {
            // Nothing to try with: resume; the next event re-pauses if the cause is still there.
            await settleProbe(.accepted)
        }
        probeInFlight = false
        wake()
    }

    private func settleProbe(_ result: DeliveryResult) async {
        let t = now()
        if case .paused(let status, let reason) = result {
            pause.probeFailed(reason: reason, status: status, now: t)
            logger.info("delivery still paused", metadata: ["reason": "\(reason)"])
        } else if let lasted = pause.resume(now: t) {
            logger.notice("delivery resumed", metadata: ["paused_for": "\(lasted)"])
            await recordFact(
                RuntimeFact(
                    kind: .deliveryResumed, at: t, subject: "",
                    detail: "delivery resumed after \(lasted.components.seconds) s"))
        }
    }

    /// Keeps a pause or resumption for the report; a state database error is logged, nothing else changes.
    private func recordFact(_ fact: RuntimeFact) async {
        do { try await outbox.record(fact) } catch { noteOutboxError("record a delivery pause or resumption", error) }
    }

    private func handle(_ result: DeliveryResult, for item: OutboxItem, asProbe: Bool) async {
        defer {
            inFlight.remove(item.id)
            wake()
        }
        let t = now()
        switch result {
        case .accepted:
            count(result, httpSuccess: true)
            breaker.recordSuccess()
            if asProbe { await settleProbe(result) }
            if await outboxCall("mark sent", item, { try await self.outbox.markSent(id: item.id, at: t) }) {
                stats.sent += 1
            }
        case .rejected(let status, let message):
            count(result)
            breaker.recordSuccess()
            if asProbe { await settleProbe(result) }
            logger.error(
                "listmonk rejected a bounce; moved to the dead letters",
                metadata: ["id": "\(item.id)", "status": "\(status.map(String.init) ?? "-")", "message": "\(message)"])
            if await outboxCall(
                "mark dead", item,
                {
                    try await self.outbox.markDead(id: item.id, at: t, status: status, body: message)
                })
            {
                stats.dead += 1
            }
        case .retry(let after, let status, let reason):
            count(result)
            if asProbe { await settleProbe(result) }
            if breaker.recordFailure(now: t, error: reason) {
                stats.breakerOpenings += 1
                logger.warning("listmonk looks down; holding back requests", metadata: ["error": "\(reason)"])
            }
            if let after {
                // A Retry-After speaks for the server, not this one event: hold everything back.
                let until = t.addingTimeInterval(min(after, configuration.backoff.maxDelay).seconds)
                notBefore = max(notBefore ?? until, until)
            }
            let decision = configuration.backoff.decide(
                attempts: item.attempts + 1, since: item.firstFailureAt ?? item.enqueuedAt, now: t,
                serverDelay: after, lastError: reason, random: &random)
            switch decision {
            case .retry(let at):
                if await outboxCall(
                    "schedule retry", item,
                    {
                        try await self.outbox.scheduleRetry(id: item.id, at: at, error: reason, status: status)
                    })
                {
                    stats.retried += 1
                }
            case .giveUp(let why):
                logger.error(
                    "gave up on a bounce; moved to the dead letters",
                    metadata: ["id": "\(item.id)", "reason": "\(why)"])
                if await outboxCall(
                    "mark dead", item,
                    {
                        try await self.outbox.markDead(id: item.id, at: t, status: status, body: why)
                    })
                {
                    stats.dead += 1
                }
            }
        case .paused(let status, let reason):
            count(result)
            // listmonk answered, so it is up; the event itself is left exactly as it was.
            breaker.recordSuccess()
            await release(item)
            if asProbe {
                await settleProbe(result)
            } else if pause.pause(reason: reason, status: status, now: t) {
                stats.pauses += 1
                await recordFact(
                    RuntimeFact(
                        kind: .deliveryPaused, at: t, subject: reason, status: status,
                        detail: "every request would fail the same way: \(reason)"))
                logger.error(
                    "delivery paused: every request would fail the same way", metadata: ["reason": "\(reason)"])
            }
        }
    }

    private func count(_ result: DeliveryResult, httpSuccess: Bool = false) {
        let key = httpSuccess ? "2xx" : (result.status.map(String.init) ?? "transport")
        stats.requestsByStatus[key, default: 0] += 1
    }

    // MARK: - Outbox access

    private func claim(limit: Int, now t: Date) async -> [OutboxItem] {
        do {
            let due = try await outbox.claimDue(limit: limit, now: t)
            lastOutboxError = nil
            // An outbox must not hand out an event twice while it is claimed; skip one that is in flight anyway.
            return due.filter { !inFlight.contains($0.id) }
        } catch {
            noteOutboxError("read due events", error)
            return []
        }
    }

    private func release(_ item: OutboxItem) async {
        _ = await outboxCall("release", item) { try await self.outbox.release(id: item.id) }
    }

    private func nothingPending() async -> Bool {
        do { return try await outbox.nextDue() == nil } catch {
            noteOutboxError("read the next due time", error)
            return false
        }
    }

    private func nextLook(_ t: Date) async -> Date {
        let poll = t.addingTimeInterval(configuration.idlePoll.seconds)
        // A due time in the past with nothing claimable (claimed elsewhere) must not turn into a busy loop.
        guard let due = try? await outbox.nextDue(), due > t else { return poll }
        return min(poll, due)
    }

    /// Runs one outbox change; false when it failed (logged and counted).
    private func outboxCall(_ what: String, _ item: OutboxItem, _ body: () async throws -> Void) async -> Bool {
        do {
            try await body()
            return true
        } catch {
            // The event stays pending and goes out again: a possible duplicate, but never a loss.
            noteOutboxError("\(what) for event \(item.id)", error)
            return false
        }
    }

    private func noteOutboxError(_ what: String, _ error: any Error) {
        stats.outboxErrors += 1
        let text = "\(error)"
        if text != lastOutboxError {
            logger.error("state database error", metadata: ["operation": "\(what)", "error": "\(text)"])
        }
        lastOutboxError = text
    }

    // MARK: - Waiting

    private func probeWakeTime(_ t: Date) -> Date {
        // A probe or requests in flight wake us when they finish; otherwise sleep until the probe is due.
        if case .paused(_, _, _, let next) = pause.phase, !probeInFlight, inFlight.isEmpty, next > t { return next }
        return t.addingTimeInterval(configuration.idlePoll.seconds)
    }

    private func takeToken() async {
        guard bucket != nil else { return }
        while !Task.isCancelled, let wait = bucket!.take(now: now()) {
            try? await Task.sleep(for: wait)
        }
    }

    /// Sleeps until `deadline` (at most one idle poll), or until ``wake()`` or cancellation.
    private func idle(until deadline: Date) async {
        let delay = min(max(deadline.timeIntervalSince(now()), 0), configuration.idlePoll.seconds)
        if pendingWake || delay <= 0 {
            pendingWake = false
            await Task.yield()
            return
        }
        waitGeneration += 1
        let generation = waitGeneration
        let sleeper = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            await self?.timerFired(generation)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.wake() }
        }
        pendingWake = false
        sleeper.cancel()
    }

    private func timerFired(_ generation: Int) {
        guard generation == waitGeneration, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}

/// A type-erased random source the backoff policy can take `inout`.
struct AnyRandomGenerator: RandomNumberGenerator, Sendable {
    var base: any RandomNumberGenerator & Sendable
    mutating func next() -> UInt64 { base.next() }
}
