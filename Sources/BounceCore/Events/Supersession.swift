/// Backfill's third hold cause: a bounce followed by a successful delivery to the same address in the
/// same backfill is stale (the address works again), so it is held rather than sent.
public enum Supersession {
    /// Marks as held every forwarded event whose address (``BounceEvent/email``) had a successful delivery
    /// after the event's time, with a `meta.hold_reason` naming that delivery. Returns how many it marked.
    /// - Parameter deliveries: from ``MessageTracker/drainDeliveries()`` over the same backfill.
    @discardableResult
    public static func holdSuperseded(_ events: inout [BounceEvent], deliveries: [SuccessfulDelivery]) -> Int {
        guard !deliveries.isEmpty else { return 0 }
        var latest: [String: SuccessfulDelivery] = [:]
        for d in deliveries {
            let address = d.address.lowercased()
            if let seen = latest[address], seen.time >= d.time { continue }
            latest[address] = d
        }
        var marked = 0
        for i in events.indices where events[i].meta.action == .forward {
            guard let d = latest[events[i].email], let t = RFC3339.parse(events[i].createdAt), d.time > t else {
                continue
            }
            events[i].meta.action = .hold
            events[i].meta.holdReason =
                "superseded by a later delivery to the same address at \(RFC3339.format(d.time)) (\(d.mta.rawValue) queue id \(d.queueID))"
            marked += 1
        }
        return marked
    }
}
