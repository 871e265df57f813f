/// Holds hard bounces to a recipient domain that suddenly rejects most of our mail: a provider incident
/// (a mailbox store answering `550 5.1.1` for valid users, a DNS or DNSSEC fault making a domain look
/// non-existent) must not make listmonk blocklist good subscribers.
///
/// Fed in log-time order with successful deliveries and hard bounces, per recipient domain. The guard
/// **trips** for a domain when, inside the sliding ``HardBounceGuardOptions/window``:
/// - hard bounces ≥ ``HardBounceGuardOptions/minHard``,
/// - hard bounces ≥ ``HardBounceGuardOptions/ratio`` × (hard bounces + deliveries), and
/// - the domain accepted mail within ``HardBounceGuardOptions/baseline`` before the window's first hard
///   bounce (so a dead domain, which never accepts anything, keeps flowing as hard bounces).
///
/// While tripped, every hard bounce to the domain is held, with a reason saying why. The guard releases
/// the domain when the window's hard share falls below the ratio again (deliveries resume, or the window
/// slides past the spike). Trips and releases are reported once each (``drainTransitions()``).
///
/// Pure: time is the log time of what it is fed, never the wall clock, so backfills and tests are
/// deterministic. Memory is bounded: per domain at most ``HardBounceGuardOptions/buckets`` buckets of
/// at most 8 reason names; domains idle longer than the baseline are forgotten, and beyond
/// ``HardBounceGuardOptions/maxDomains`` the least recently seen are (tripped domains last).
public struct HardBounceGuard: Sendable {
    /// What the guard decided for one hard bounce.
    public enum Decision: Sendable, Hashable {
        case pass
        /// Hold it; the reason is for `meta.hold_reason`.
        case hold(reason: String)
    }

    /// A domain tripped or was released.
    public struct Transition: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable { case tripped, released }
        public var kind: Kind
        public var domain: String
        /// The log time of the outcome (or the clock advance) that caused it.
        public var time: LogTime
        /// The window's hard bounces and all its outcomes (hard bounces and deliveries) at that time.
        public var hard: Int
        public var outcomes: Int
        /// For a release: the hard bounces held while the domain was tripped.
        public var held: Int
        /// The window's hard bounces by reason (`userunknown 20, hostunknown 2`).
        public var reasons: String
        /// The window, for messages (`15m`).
        public var window: String

        public var description: String {
            switch kind {
            case .tripped:
                return
                    "spike guard tripped for \(domain) at \(RFC3339.format(time)): \(hard) of \(outcomes) outcomes in the last \(window) were hard bounces (\(reasons)); further hard bounces to \(domain) are held"
            case .released:
                return
                    "spike guard released \(domain) at \(RFC3339.format(time)): hard bounces are now \(hard) of \(outcomes) outcomes in the last \(window); \(held) hard bounce(s) were held while it was tripped — review them with `bouncetail outbox list --held --reason \(HardBounceGuard.outboxHoldReason)`"
            }
        }
    }

    /// The outbox `hold_reason` of held rows: `bouncetail outbox release --reason spike-guard` sends them.
    public static let outboxHoldReason = "spike-guard"
    /// How every `meta.hold_reason` the guard writes begins.
    public static let holdReasonPrefix = "spike guard:"

    public let options: HardBounceGuardOptions
    private var domains: [String: GuardDomainWindow] = [:]
    private var tripped: Set<String> = []
    private var transitions: [Transition] = []
    /// The latest log time fed.
    public private(set) var clock = LogTime(microseconds: .min)
    /// Hard bounces held so far.
    public private(set) var held = 0
    /// Transitions dropped because nobody drained them (at most ``transitionCap`` are kept).
    public private(set) var droppedTransitions = 0
    /// Domains forgotten because ``HardBounceGuardOptions/maxDomains`` was reached.
    public private(set) var evictedByCount = 0
    private var nextSweep = Int64.min
    private let width: Int64

    static let transitionCap = 10_000

    public init(options: HardBounceGuardOptions = HardBounceGuardOptions()) {
        self.options = options
        self.width = max(1, options.window / Int64(options.buckets))
    }

    /// Domains remembered.
    public var trackedDomains: Int { domains.count }
    /// Domains the guard is tripped for.
    public var trippedDomains: Int { tripped.count }
    /// Their names, sorted.
    public var trippedDomainNames: [String] { tripped.sorted() }

    // MARK: - Feeding

    /// A successful delivery to `domain` at `time`.
    public mutating func recordDelivery(domain: String, at time: LogTime) {
        advanceClock(time)
        let (slot, oldest) = take(domain, at: time)
        let index = bucketIndex(time)
        if index >= oldest {
            domains.values[slot].addDelivery(index: index, at: time.microseconds)
        } else {
            domains.values[slot].notePastDelivery(at: time.microseconds)
        }
        if domains.values[slot].trippedAt != nil { releaseIfCalm(domain, slot, at: time) }
    }

    /// A successful delivery the tracker reported.
    public mutating func recordDelivery(_ delivery: SuccessfulDelivery) {
        guard let d = AddressDomain.of(delivery.address) else { return }
        recordDelivery(domain: d, at: delivery.time)
    }

    /// A hard bounce to `domain` at `time`: counts it and says whether to hold it.
    /// - Parameter holdable: false for an event already held for another reason: it still counts as the
    ///   domain's outcome, but is not counted as held by the guard.
    public mutating func recordHardBounce(domain: String, reason: String, at time: LogTime, holdable: Bool = true)
        -> Decision
    {
        advanceClock(time)
        let (slot, oldest) = take(domain, at: time)
        let index = bucketIndex(time)
        if index >= oldest { domains.values[slot].addHard(index: index, reason: reason, at: time.microseconds) }
        if domains.values[slot].trippedAt == nil {
            let w = domains.values[slot]
            guard w.hard >= options.minHard, w.hardShareReaches(options.ratio),
                w.acceptedMailBeforeSpike(baseline: options.baseline)
            else { return .pass }
            domains.values[slot].trippedAt = time.microseconds
            domains.values[slot].heldWhileTripped = 0
            tripped.insert(domain)
            report(.tripped, domain, domains.values[slot], at: time)
        }
        if holdable {
            domains.values[slot].heldWhileTripped += 1
            held += 1
        }
        return .hold(reason: holdReason(domain, domains.values[slot], at: time))
    }

    /// Applies the guard to one event built at `time`: a hard bounce counts for its domain, and a
    /// forwarded one is turned into a held one (`meta.action`, `meta.hold_reason`) while the domain is
    /// tripped. Other types are ignored. Returns whether the event was changed.
    @discardableResult
    public mutating func apply(to event: inout BounceEvent, at time: LogTime) -> Bool {
        guard event.type == .hard, let domain = AddressDomain.of(event.email) else { return false }
        let holdable = event.meta.action == .forward
        guard
            case .hold(let reason) = recordHardBounce(
                domain: domain, reason: event.meta.reason, at: time, holdable: holdable),
            holdable
        else { return false }
        event.meta.action = .hold
        event.meta.holdReason = reason
        return true
    }

    /// Moves the clock to `time` (when nothing else was fed): releases tripped domains whose window has
    /// calmed down, and forgets idle domains.
    ///
    /// `time` is the reader's position (the last line it read), not the latest time ever fed: a backfill
    /// reads one log family after another, and one line with a wrong year must not age every other
    /// domain out. So the idle sweep is measured from `time`, and a tripped domain is only slid up to
    /// `time` when `time` is past its own latest outcome.
    public mutating func advance(to time: LogTime) {
        advanceClock(time)
        if time.microseconds >= nextSweep {
            // Idle domains are swept once per window of reading: O(domains) every 15 minutes of log.
            if nextSweep != .min { forgetIdle(before: time.microseconds - options.baseline) }
            nextSweep = time.microseconds + options.window
        }
        guard !tripped.isEmpty else { return }
        let oldest = oldestIndex(at: time.microseconds)
        for domain in tripped.sorted() {
            guard let slot = domains.index(forKey: domain), time.microseconds > domains.values[slot].lastSeen else {
                continue
            }
            domains.values[slot].slide(keepingFrom: oldest)
            releaseIfCalm(domain, slot, at: time)
        }
    }

    /// The trips and releases since the last call, in order.
    public mutating func drainTransitions() -> [Transition] {
        defer { transitions.removeAll() }
        return transitions
    }

    /// Outbox hold reasons for the events the guard held, by dedup key (for the batch commit).
    public static func outboxHolds(for events: [BounceEvent]) -> [String: String] {
        var out: [String: String] = [:]
        for e in events where e.meta.action == .hold && isGuardHold(e) { out[e.dedupKey] = outboxHoldReason }
        return out
    }

    /// Whether the guard held this event.
    public static func isGuardHold(_ event: BounceEvent) -> Bool {
        event.meta.holdReason?.hasPrefix(holdReasonPrefix) == true
    }

    // MARK: - Internals

    private func bucketIndex(_ time: LogTime) -> Int64 {
        // Floor division without overflow, also for times before 1970.
        let (q, r) = time.microseconds.quotientAndRemainder(dividingBy: width)
        return r < 0 ? q - 1 : q
    }

    /// The oldest bucket index inside the window that ends at `micros`.
    private func oldestIndex(at micros: Int64) -> Int64 {
        bucketIndex(LogTime(microseconds: micros)) - Int64(options.buckets) + 1
    }

    private mutating func advanceClock(_ time: LogTime) {
        guard time > clock else { return }
        clock = time
    }

    /// The slot of the domain's window, slid to the domain's latest outcome, created if new (which may first
    /// evict the least recently seen), and the oldest bucket index inside that window. Each domain's window
    /// ends at its own latest outcome, so one line with a wild time (a wrong year) upsets only its domain.
    /// Mutated in place through `domains.values[slot]`: one hash lookup per outcome. The slot stays valid
    /// until the next insertion or removal.
    private mutating func take(_ domain: String, at time: LogTime) -> (
        Dictionary<String, GuardDomainWindow>.Index, Int64
    ) {
        if let slot = domains.index(forKey: domain) {
            if time.microseconds > domains.values[slot].lastSeen { domains.values[slot].lastSeen = time.microseconds }
            let oldest = oldestIndex(at: domains.values[slot].lastSeen)
            domains.values[slot].slide(keepingFrom: oldest)
            // A spike the window has slid past ends before the new outcome is judged on its own.
            if domains.values[slot].trippedAt != nil { releaseIfCalm(domain, slot, at: time) }
            return (slot, oldest)
        }
        if domains.count >= options.maxDomains { evictLeastRecent() }
        domains[domain] = GuardDomainWindow(lastSeen: time.microseconds)
        return (domains.index(forKey: domain)!, oldestIndex(at: time.microseconds))
    }

    private mutating func releaseIfCalm(
        _ domain: String, _ slot: Dictionary<String, GuardDomainWindow>.Index, at time: LogTime
    ) {
        guard domains.values[slot].trippedAt != nil, !domains.values[slot].hardShareReaches(options.ratio) else {
            return
        }
        report(.released, domain, domains.values[slot], at: time)
        domains.values[slot].trippedAt = nil
        domains.values[slot].heldWhileTripped = 0
        tripped.remove(domain)
    }

    private mutating func report(
        _ kind: Transition.Kind, _ domain: String, _ w: GuardDomainWindow, at time: LogTime
    ) {
        guard transitions.count < Self.transitionCap else {
            droppedTransitions += 1
            return
        }
        transitions.append(
            Transition(
                kind: kind, domain: domain, time: time, hard: w.hard, outcomes: w.hard + w.delivered,
                held: w.heldWhileTripped, reasons: w.reasonSummary(), window: GuardText.duration(options.window)))
    }

    private func holdReason(_ domain: String, _ w: GuardDomainWindow, at time: LogTime) -> String {
        let accepted: String
        if let last = w.lastDelivery {
            let ago = time.microseconds - last
            accepted =
                ago >= 0
                ? "the domain last accepted mail \(GuardText.duration(ago)) before this bounce"
                : "the domain accepted mail again \(GuardText.duration(-ago)) after this bounce"
        } else {
            accepted = "no delivery to the domain is on record"
        }
        return
            "\(Self.holdReasonPrefix) \(w.hard) of \(w.hard + w.delivered) outcomes to \(domain) in the last \(GuardText.duration(options.window)) were hard bounces (\(w.reasonSummary())); \(accepted) — a provider incident is likely: review, then release with `bouncetail outbox release --reason \(Self.outboxHoldReason)`"
    }

    /// Forgets domains idle longer than the baseline (nothing they remember matters any more).
    private mutating func forgetIdle(before cutoff: Int64) {
        domains = domains.filter { $0.value.trippedAt != nil || $0.value.lastSeen >= cutoff }
    }

    /// Forgets the least recently seen tenth of the untripped domains at once, so that the cost of
    /// sorting is spread over many insertions.
    private mutating func evictLeastRecent() {
        let excess = domains.count - options.maxDomains + 1
        let count = max(excess, options.maxDomains / 10, 1)
        let victims = domains.lazy.filter { $0.value.trippedAt == nil }
            .map { (key: $0.key, seen: $0.value.lastSeen) }
            .sorted { $0.seen != $1.seen ? $0.seen < $1.seen : $0.key < $1.key }
            .prefix(count)
        for v in victims { domains.removeValue(forKey: v.key) }
        evictedByCount += victims.count
    }
}

/// Short durations for the guard's messages.
enum GuardText {
    /// `45s`, `12m`, `5h`, `3d`: rounded down to the unit.
    static func duration(_ micros: Int64) -> String {
        let s = max(0, micros / 1_000_000)
        if s < 120 { return "\(s)s" }
        if s < 2 * 3600 { return "\(s / 60)m" }
        if s < 2 * 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }
}
