import BounceCore
import BounceStore

extension EventPipeline {
    /// Trips and releases of the spike guard since the last call, for the log and the metrics (including those a
    /// backfill batch already committed as run-time facts).
    public func drainGuardTransitions() -> [HardBounceGuard.Transition] {
        defer { committedTransitions.removeAll() }
        return committedTransitions + (spikeGuard?.drainTransitions() ?? [])
    }

    /// The transitions since the last batch, as facts for its commit; kept for ``drainGuardTransitions()``.
    func guardFactsForCommit() -> [RuntimeFact] {
        let new = spikeGuard?.drainTransitions() ?? []
        committedTransitions += new
        return new.map(RuntimeFact.init(guardTransition:))
    }

    /// Recipient domains the spike guard is holding hard bounces for.
    public var guardTrippedDomains: Int { spikeGuard?.trippedDomains ?? 0 }

    /// Judges one built event: deliveries logged before it are fed first, so the guard sees outcomes in
    /// line order even though the tracker hands deliveries out only once per batch. True when it held it.
    func applyGuard(to event: inout BounceEvent, at time: LogTime) -> Bool {
        feedGuardDeliveries()
        return spikeGuard?.apply(to: &event, at: time) == true
    }

    /// Feeds the guard the deliveries the tracker collected since the last feed (without draining them:
    /// the batch commit still needs them for supersession).
    func feedGuardDeliveries() {
        guard spikeGuard != nil else { return }
        let pending = tracker.pendingDeliveries
        guard pending.count > deliveriesFedToGuard else { return }
        for d in pending[deliveriesFedToGuard...] { spikeGuard?.recordDelivery(d) }
        deliveriesFedToGuard = pending.count
    }

    /// Moves the guard to the time of the last line read (log time, never the wall clock): releases domains
    /// whose spike has passed and forgets idle ones. Not the tracker's clock, which is the latest time of
    /// any source: a backfill that read a later family first would release a tripped domain of the
    /// family it reads now after every batch.
    func advanceGuard() {
        guard spikeGuard != nil else { return }
        feedGuardDeliveries()
        spikeGuard?.advance(to: lastLineTime ?? tracker.clock)
    }
}
