/// The mail counters `ingest-mail` keeps in the state database (`count.mail.*`: one process per mail, so they
/// live there) exported as the daemon's Prometheus counters: each look adds what a counter grew since the last.
public struct MailCounterExport: Sendable {
    private var exported: [String: Int] = [:]

    public init() {}

    /// Adds to `metrics` what each of `counts` (as ``BounceStore/StateDB/counters(prefix:)`` returns them for
    /// `mail.`, e.g. `mail.records.bounce`) grew by since the last call.
    public mutating func export(_ counts: [String: Int], to metrics: BounceMetrics) {
        for (key, n) in counts where key.hasPrefix("mail.") {
            let name = String(key.dropFirst(5))
            let delta = n - exported[name, default: 0]
            guard delta > 0, let counter = metrics.mailCounter(name) else { continue }
            counter.increment(by: delta)
            exported[name] = n
        }
    }
}
