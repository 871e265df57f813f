import BounceSources

/// The rate-limited warning about journal entries the trust check refused: the first refusal is
/// reported at once, later ones at most once per ``interval``, each warning naming the senders
/// (uid, comm, unit) seen since the previous one. A flood of forged entries gives one line a minute,
/// not one per entry; the metric counts every entry.
public struct UntrustedEntryWarning: Sendable {
    /// The least time between two warnings.
    public let interval: Duration
    /// Senders named per warning; the rest are summed up as "and N more".
    public let maxSenders: Int
    private var pending: [JournalProvenance: Int] = [:]
    private var lastWarning: ContinuousClock.Instant?

    public init(interval: Duration = .seconds(60), maxSenders: Int = 5) {
        self.interval = interval
        self.maxSenders = maxSenders
    }

    /// Adds a batch's refusals; returns a warning when one is due at `now`.
    public mutating func add(_ refused: [JournalProvenance: Int], now: ContinuousClock.Instant) -> String? {
        for (sender, count) in refused { pending[sender, default: 0] += count }
        return due(now: now)
    }

    /// A warning for what is pending, if any and if the interval has passed (call on a timer too).
    public mutating func due(now: ContinuousClock.Instant) -> String? {
        guard !pending.isEmpty else { return nil }
        if let lastWarning, now - lastWarning < interval { return nil }
        lastWarning = now
        defer { pending.removeAll(keepingCapacity: true) }
        return Self.text(pending, maxSenders: maxSenders)
    }

    public static func text(_ refused: [JournalProvenance: Int], maxSenders: Int) -> String {
        let total = refused.values.reduce(0, +)
        // Most entries first; ties in a stable order so the line is reproducible.
        let sorted = refused.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key.description < $1.key.description
        }
        var senders = sorted.prefix(maxSenders).map { "\($0.key): \($0.value)" }
        if sorted.count > maxSenders { senders.append("and \(sorted.count - maxSenders) more sender(s)") }
        let what =
            total == 1
            ? "1 entry that claims to be the MTA's but was" : "\(total) entries that claim to be the MTA's but were"
        return "journal: refused \(what) not written by a trusted unit or user (\(senders.joined(separator: "; "))); "
            + "a local user may be forging bounces, or sources.journal.trust lacks the MTA's unit or user "
            + "(see docs/journald.md)"
    }
}
