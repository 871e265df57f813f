import BounceCore

/// Messages in flight the tracker dropped before their end, made visible: the daemon's
/// `bouncetail_tracker_evicted_total{cause}` counter, a rate-limited log line, and the texts `backfill`'s summary
/// uses. A dropped message's late bounce goes out without its sender, Message-ID and listmonk UUIDs, so a drop at
/// the cap means `tracker.state_max_messages` is too low for the deferred queue.
///
/// The first drop of each cause is reported at once, later ones at most once per ``interval`` with the count since
/// the previous report; the counter counts every one.
public struct TrackerEvictionWarning: Sendable {
    /// Why the tracker dropped a message.
    public enum Cause: String, Sendable, CaseIterable {
        /// It held `tracker.state_max_messages` messages: the least recently seen tenth went.
        case cap
        /// No line for `tracker.state_max_age`.
        case age
    }

    /// One due report.
    public struct Report: Sendable, Hashable {
        public var cause: Cause
        /// Drops of this cause since the previous report.
        public var count: Int
        /// The log line.
        public var text: String
    }

    /// The least time between two reports of one cause.
    public let interval: Duration
    private let stateMaxMessages: Int
    private let stateMaxAge: String
    /// The tracker's counts already exported to the metric.
    private var exported: [Cause: Int] = [:]
    /// Exported but not yet reported in the log.
    private var pending: [Cause: Int] = [:]
    private var lastReport: [Cause: ContinuousClock.Instant] = [:]

    /// - Parameters:
    ///   - stateMaxMessages: the cap in effect, named in the texts.
    ///   - stateMaxAge: the age in effect as configured (`7d`), named in the texts.
    public init(stateMaxMessages: Int, stateMaxAge: String, interval: Duration = .seconds(3600)) {
        self.stateMaxMessages = stateMaxMessages
        self.stateMaxAge = stateMaxAge
        self.interval = interval
    }

    /// The drops of each cause in `counters` (cumulative, as the tracker keeps them).
    public static func count(_ cause: Cause, in counters: TrackerCounters) -> Int {
        switch cause {
        case .cap: counters.evictedByCount
        case .age: counters.evictedByAge
        }
    }

    /// Takes the tracker's counters: adds to `metrics` what each cause grew by since the last call, and returns the
    /// log lines due at `now` (none when nothing was dropped, or the cause was reported within ``interval``).
    public mutating func update(
        _ counters: TrackerCounters, metrics: BounceMetrics?, now: ContinuousClock.Instant
    ) -> [Report] {
        var due: [Report] = []
        for cause in Cause.allCases {
            let total = Self.count(cause, in: counters)
            let grown = total - exported[cause, default: 0]
            if grown > 0 {
                metrics?.trackerEvicted(cause: cause.rawValue).increment(by: grown)
                exported[cause] = total
                pending[cause, default: 0] += grown
            }
            guard let n = pending[cause], n > 0 else { continue }
            if let last = lastReport[cause], now - last < interval { continue }
            lastReport[cause] = now
            pending[cause] = 0
            due.append(Report(cause: cause, count: n, text: text(cause, count: n)))
        }
        return due
    }

    /// What `count` drops of `cause` mean and what to raise.
    public func text(_ cause: Cause, count: Int) -> String {
        let messages = count == 1 ? "1 message in flight" : "\(count) messages in flight"
        switch cause {
        case .cap:
            return "tracker: dropped \(messages) at the cap of \(stateMaxMessages) (the least recently seen first): "
                + "their late bounces go out without sender, Message-ID and listmonk UUIDs; raise [tracker] "
                + "state_max_messages above the deferred queue (twice its peak; each message costs about "
                + "\(TrackerConfig.approximateBytesPerMessage) bytes of memory)"
        case .age:
            return "tracker: dropped \(messages) with no line for \(stateMaxAge) (state_max_age): a later line of one "
                + "starts it afresh without its sender; raise [tracker] state_max_age if the MTA keeps mail queued "
                + "longer (Postfix maximal_queue_lifetime)"
        }
    }

    /// The part of `backfill`'s summary line for its drops, empty when there were none: `; 505 message(s) in
    /// flight dropped at the cap of 1000 (raise [tracker] state_max_messages ...)`.
    public func summary(_ counters: TrackerCounters) -> String {
        var parts: [String] = []
        if counters.evictedByCount > 0 {
            parts.append(
                "\(counters.evictedByCount) message(s) in flight dropped at the cap of \(stateMaxMessages), their late "
                    + "bounces without sender and listmonk UUIDs (raise [tracker] state_max_messages)")
        }
        if counters.evictedByAge > 0 {
            parts.append(
                "\(counters.evictedByAge) message(s) dropped with no line for \(stateMaxAge) (raise [tracker] "
                    + "state_max_age if the MTA keeps mail queued longer)")
        }
        return parts.map { "; " + $0 }.joined()
    }
}

extension TrackerEvictionWarning {
    /// The texts and intervals for `config`.
    public init(_ config: TrackerConfig, interval: Duration = .seconds(3600)) {
        self.init(
            stateMaxMessages: config.stateMaxMessages, stateMaxAge: config.stateMaxAge.description, interval: interval)
    }
}
