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
        // A spike-guard hold is only "review before sending"; a later delivery proves more (the address
        // works), so such an event is superseded too and `outbox release --reason spike-guard` skips it.
        let candidates = events.indices.filter {
            events[$0].meta.action == .forward || HardBounceGuard.isGuardHold(events[$0])
        }
        guard !candidates.isEmpty else { return [:] }
        // The latest delivery per address, for the events' addresses only: a backfill has a few bounces
        // and tens of thousands of deliveries, and a table of every delivered address was most of this.
        // Among deliveries at the same latest time the first one wins, as before.
        var latest: [String: SuccessfulDelivery?] = [:]
        latest.reserveCapacity(candidates.count)
        for i in candidates { latest[events[i].email] = .some(nil) }
        for d in deliveries {
            let address = d.address.cheaplyLowercased
            guard let slot = latest.index(forKey: address) else { continue }
            if let seen = latest.values[slot], seen.time >= d.time { continue }
            latest.values[slot] = d
        }
        var out: [String: String] = [:]
        for i in candidates {
            let e = events[i]
            guard let found = latest[e.email], let d = found, let t = RFC3339.parse(e.createdAt), d.time > t else {
                continue
            }
            out[e.dedupKey] =
                "superseded by a later delivery to the same address at \(RFC3339.format(d.time)) (\(d.mta.rawValue) queue id \(d.queueID))"
        }
        return out
    }
}
