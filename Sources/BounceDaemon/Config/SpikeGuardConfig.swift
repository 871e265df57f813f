import BounceCore

/// `[guard]`: the hard-bounce spike guard (see docs/tracking.md, "Spike guard").
public struct SpikeGuardConfig: Sendable, Equatable {
    /// Hold hard bounces to a domain that suddenly rejects most of our mail.
    public var enabled = true
    /// The sliding window of log time the outcomes are counted over.
    public var window: ConfigDuration = .minutes(15)
    /// Hard bounces to one domain inside the window needed to trip.
    public var minHard = 20
    /// Share of hard bounces among the domain's outcomes (hard bounces and deliveries) needed to trip.
    public var ratio = 0.5
    /// The domain must have accepted mail within this long before the spike began.
    public var baseline: ConfigDuration = .hours(24)
    public init() {}

    /// The guard's options; nil when it is off.
    public var options: HardBounceGuardOptions? {
        guard enabled else { return nil }
        return HardBounceGuardOptions(
            window: window.milliseconds * 1000, minHard: minHard, ratio: ratio, baseline: baseline.milliseconds * 1000)
    }

    /// One line for `check-config`.
    public var summary: String {
        guard enabled else {
            return "spike guard: off ([guard] enabled = false): hard bounces are never held for a spike"
        }
        let percent = ratio * 100
        let share = percent == percent.rounded() ? "\(Int(percent))%" : "\(percent)%"
        return
            "spike guard: on: a domain's hard bounces are held once \(minHard) or more in \(window) make at least \(share) of its outcomes, if it accepted mail within \(baseline) before"
    }
}

extension SpikeGuardConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.bool("enabled") { enabled = v }
        if let v = r.duration("window") {
            if v < .minutes(1) || v > .hours(24) {
                r.invalid("window", "\(v) is out of range; allowed: 1m to 24h")
            } else {
                window = v
            }
        }
        if let v = r.int("min_hard", in: 1...1_000_000) { minHard = v }
        if let v = r.double("ratio", greaterThan: 0, atMost: 1) { ratio = v }
        if let v = r.duration("baseline") {
            if v < window {
                r.invalid(
                    "baseline",
                    "\(v) is shorter than the window (\(window)); allowed: at least the window, e.g. \"24h\"")
            } else if v > .days(30) {
                r.invalid("baseline", "\(v) is too long; allowed: at most 30d")
            } else {
                baseline = v
            }
        }
        r.finish()
    }
}
