/// Backfill's third hold cause: a bounce followed by a successful delivery to the same address in the
/// same backfill is stale (the address works again), so it is held rather than sent.
public enum Supersession {
    /// Marks as held every forwarded (or spike-guard held) event whose address (``BounceEvent/email``) had a successful delivery
    /// after the event's time, with a `meta.hold_reason` naming that delivery. Returns how many it marked.
    /// - Parameter deliveries: from ``MessageTracker/drainDeliveries()`` over the same backfill.
    @discardableResult
    public static func holdSuperseded(_ events: inout [BounceEvent], deliveries: [SuccessfulDelivery]) -> Int {
        let reasons = holds(for: events, deliveries: deliveries)
        guard !reasons.isEmpty else { return 0 }
        for i in events.indices {
            guard let reason = reasons[events[i].dedupKey] else { continue }
            events[i].meta.action = .hold
            events[i].meta.holdReason = reason
        }
        return reasons.count
    }

    /// The same decision as ``holdSuperseded(_:deliveries:)`` without touching the events: dedup key → hold
    /// reason, for a store that applies holds to rows it already has (events already held are left out,
    /// except those the spike guard held).
    public static func holds(for events: [BounceEvent], deliveries: [SuccessfulDelivery]) -> [String: String] {
        // Most backfill batches have deliveries and no event: nothing to decide, no table to build.
        guard !deliveries.isEmpty, !events.isEmpty else { return [:] }
        var latest: [String: SuccessfulDelivery] = [:]
        for d in deliveries {
            let address = d.address.cheaplyLowercased
            if let seen = latest[address], seen.time >= d.time { continue }
            latest[address] = d
        }
        var out: [String: String] = [:]
        // A spike-guard hold is only "review before sending"; a later delivery proves more (the address
        // works), so such an event is superseded too and `outbox release --reason spike-guard` skips it.
        for e in events where e.meta.action == .forward || HardBounceGuard.isGuardHold(e) {
            guard let d = latest[e.email], let t = RFC3339.parse(e.createdAt), d.time > t else { continue }
            out[e.dedupKey] =
                "superseded by a later delivery to the same address at \(RFC3339.format(d.time)) (\(d.mta.rawValue) queue id \(d.queueID))"
        }
        return out
    }
}
