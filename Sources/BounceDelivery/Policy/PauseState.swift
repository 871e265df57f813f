import Foundation

/// The dispatcher's pause: entered on an answer that every request would get (wrong credentials, webhooks or
/// bounce processing off), left when a slow probe gets a healthy answer.
///
/// While paused nothing is sent and nothing is dead-lettered; a probe goes out every `probeInterval`, growing
/// by half each time up to `maxProbeInterval`. Pure value: the caller passes the time.
public struct PauseState: Sendable, Hashable {
    /// Running or paused, with the reason and when to probe next.
    public enum Phase: Sendable, Hashable {
        case running
        case paused(reason: String, status: Int?, since: Date, nextProbe: Date)
    }

    public var probeInterval: Duration
    public var maxProbeInterval: Duration
    public private(set) var phase: Phase = .running
    private var currentInterval: Duration

    public init(probeInterval: Duration = .seconds(30), maxProbeInterval: Duration = .seconds(300)) {
        self.probeInterval = probeInterval
        self.maxProbeInterval = max(probeInterval, maxProbeInterval)
        self.currentInterval = probeInterval
    }

    public var isPaused: Bool {
        if case .paused = phase { return true }
        return false
    }

    /// Enters (or stays in) the pause. Returns true when this call started the pause.
    @discardableResult
    public mutating func pause(reason: String, status: Int?, now: Date) -> Bool {
        switch phase {
        case .running:
            currentInterval = probeInterval
            phase = .paused(
                reason: reason, status: status, since: now, nextProbe: now.addingTimeInterval(probeInterval.seconds))
            return true
        case .paused(_, _, let since, let nextProbe):
            // A request that left before the pause began: refresh the reason, keep the schedule.
            phase = .paused(reason: reason, status: status, since: since, nextProbe: nextProbe)
            return false
        }
    }

    /// Whether a probe is due at `now`; nil when running.
    public func probeDue(now: Date) -> Bool? {
        guard case .paused(_, _, _, let nextProbe) = phase else { return nil }
        return now >= nextProbe
    }

    /// The probe failed the same way: stay paused and probe again later (a little slower).
    public mutating func probeFailed(reason: String, status: Int?, now: Date) {
        guard case .paused(_, _, let since, _) = phase else { return }
        currentInterval = min(currentInterval * 1.5, maxProbeInterval)
        phase = .paused(
            reason: reason, status: status, since: since, nextProbe: now.addingTimeInterval(currentInterval.seconds))
    }

    /// The probe got a healthy answer: resume. Returns how long the pause lasted, nil if it was not paused.
    @discardableResult
    public mutating func resume(now: Date) -> Duration? {
        guard case .paused(_, _, let since, _) = phase else { return nil }
        phase = .running
        currentInterval = probeInterval
        return .milliseconds(Int64(now.timeIntervalSince(since) * 1000))
    }
}
