/// One slice of a domain's window: what happened to the domain during `width` microseconds of log time.
struct GuardBucket: Sendable, Hashable {
    /// `time / width`: which slice of the time line this is.
    var index: Int64
    var hard: Int32 = 0
    var delivered: Int32 = 0
    /// Earliest hard bounce and earliest / latest delivery in the slice (microseconds), to tell whether the
    /// domain accepted mail before its spike began.
    var firstHard = Int64.max
    var firstDelivery = Int64.max
    var lastDelivery = Int64.min
    /// A delivery was fed before the slice's first hard bounce: "before the spike" even within one
    /// second of log time (syslog stamps have no fraction), since the guard is fed in line order.
    var deliveryBeforeFirstHard = false
    /// Hard bounces by reason; at most ``GuardBucket/maxReasons`` names, the rest under `other`.
    var reasons: [GuardReasonCount] = []

    static let maxReasons = 8

    init(index: Int64) { self.index = index }

    mutating func addHard(reason: String, at time: Int64) {
        hard += 1
        // Only a new first hard bounce re-decides; later ones in the same second came after it.
        if firstHard == .max || time < firstHard {
            firstHard = time
            deliveryBeforeFirstHard = delivered > 0 && firstDelivery <= time
        }
        if let i = reasons.firstIndex(where: { $0.reason == reason }) {
            reasons[i].count += 1
        } else if reasons.count < Self.maxReasons {
            reasons.append(GuardReasonCount(reason: reason, count: 1))
        } else if let i = reasons.firstIndex(where: { $0.reason == "other" }) {
            reasons[i].count += 1
        } else {
            // The bound holds: the least frequent name makes room for `other`.
            let least = reasons.indices.min { reasons[$0].count < reasons[$1].count }!
            reasons[least] = GuardReasonCount(reason: "other", count: reasons[least].count + 1)
        }
    }

    mutating func addDelivery(at time: Int64) {
        delivered += 1
        firstDelivery = min(firstDelivery, time)
        lastDelivery = max(lastDelivery, time)
    }
}

struct GuardReasonCount: Sendable, Hashable {
    var reason: String
    var count: Int32
}

/// One recipient domain's recent outcomes: the buckets inside the window (ascending, sparse) and their
/// sums, the latest delivery that has left the window, and whether the guard is tripped for it.
struct GuardDomainWindow: Sendable {
    private(set) var buckets: [GuardBucket] = []
    private(set) var hard = 0
    private(set) var delivered = 0
    /// The latest delivery of the buckets that left the window (microseconds).
    private(set) var lastDeliveryBeforeWindow: Int64?
    /// Last log time anything happened to the domain, for idle and least-recently-used eviction.
    var lastSeen: Int64
    /// When the guard tripped for the domain; nil while it is not tripped.
    var trippedAt: Int64?
    /// Hard bounces the guard held since it tripped.
    var heldWhileTripped = 0

    init(lastSeen: Int64) { self.lastSeen = lastSeen }

    /// Drops the buckets at or before `oldest - 1`: the window keeps indices `oldest...`.
    mutating func slide(keepingFrom oldest: Int64) {
        var drop = 0
        while drop < buckets.count, buckets[drop].index < oldest {
            let b = buckets[drop]
            hard -= Int(b.hard)
            delivered -= Int(b.delivered)
            if b.delivered > 0 { lastDeliveryBeforeWindow = max(lastDeliveryBeforeWindow ?? .min, b.lastDelivery) }
            drop += 1
        }
        if drop > 0 { buckets.removeFirst(drop) }
    }

    /// The bucket for `index`, created in order if new. Callers slide first, so `index` is in the window.
    private mutating func bucketPosition(_ index: Int64) -> Int {
        if let last = buckets.last, last.index == index { return buckets.count - 1 }
        // Log lines arrive nearly in order: search from the end.
        var i = buckets.count
        while i > 0, buckets[i - 1].index > index { i -= 1 }
        if i > 0, buckets[i - 1].index == index { return i - 1 }
        buckets.insert(GuardBucket(index: index), at: i)
        return i
    }

    mutating func addHard(index: Int64, reason: String, at time: Int64) {
        buckets[bucketPosition(index)].addHard(reason: reason, at: time)
        hard += 1
    }

    mutating func addDelivery(index: Int64, at time: Int64) {
        buckets[bucketPosition(index)].addDelivery(at: time)
        delivered += 1
    }

    /// A delivery too old for the window still proves the domain accepted mail.
    mutating func notePastDelivery(at time: Int64) {
        lastDeliveryBeforeWindow = max(lastDeliveryBeforeWindow ?? .min, time)
    }

    /// The latest delivery the domain is known for, in or before the window.
    var lastDelivery: Int64? {
        let inWindow = buckets.last(where: { $0.delivered > 0 })?.lastDelivery
        switch (inWindow, lastDeliveryBeforeWindow) {
        case (nil, nil): return nil
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (let a?, let b?): return max(a, b)
        }
    }

    /// The earliest hard bounce in the window: when the spike began.
    var spikeStart: Int64? {
        buckets.first(where: { $0.hard > 0 })?.firstHard
    }

    /// Whether the domain accepted mail within `baseline` (at least the window) before its spike began.
    func acceptedMailBeforeSpike(baseline: Int64) -> Bool {
        guard let start = spikeStart else { return false }
        if let b = lastDeliveryBeforeWindow, b >= start - baseline { return true }
        // A delivery inside the window is within `baseline` of the spike; it counts when it came first.
        for bucket in buckets {
            if bucket.firstDelivery < start || (bucket.hard > 0 && bucket.deliveryBeforeFirstHard) { return true }
            if bucket.hard > 0 { break }
        }
        return false
    }

    /// Whether hard bounces make up at least `ratio` of the window's outcomes.
    func hardShareReaches(_ ratio: Double) -> Bool {
        hard > 0 && Double(hard) >= ratio * Double(hard + delivered)
    }

    /// The window's hard bounces by reason, most frequent first (ties by name), as `userunknown 18, other 2`.
    func reasonSummary(limit: Int = 3) -> String {
        var totals: [String: Int] = [:]
        for b in buckets {
            for r in b.reasons { totals[r.reason, default: 0] += Int(r.count) }
        }
        let sorted = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var parts = sorted.prefix(limit).map { "\($0.key) \($0.value)" }
        let rest = sorted.dropFirst(limit).reduce(0) { $0 + $1.value }
        if rest > 0 { parts.append("others \(rest)") }
        return parts.joined(separator: ", ")
    }
}
