/// When ``HardBounceGuard`` trips for a recipient domain. All durations are log time in microseconds.
public struct HardBounceGuardOptions: Sendable, Hashable {
    /// The sliding window over which a domain's outcomes are counted. Default 15 minutes.
    public var window: Int64
    /// Hard bounces to one domain inside the window needed to trip. Default 20.
    public var minHard: Int
    /// The share of hard bounces among the domain's outcomes (hard bounces and successful deliveries)
    /// inside the window needed to trip, 0 < ratio ≤ 1; the guard releases the domain when the share
    /// falls below it again. Default 0.5.
    public var ratio: Double
    /// The domain must have accepted mail within this long before the window (before the spike began):
    /// a domain that never accepts anything is dead, not in an incident. Also how long an idle domain is
    /// remembered. Default 24 hours; never shorter than the window.
    public var baseline: Int64
    /// Domains remembered at most; beyond it the least recently seen are forgotten (tripped ones last).
    public var maxDomains: Int
    /// How many buckets one window is cut into: the window's resolution is `window / buckets`.
    public var buckets: Int

    public static let minute: Int64 = 60_000_000

    public init(
        window: Int64 = 15 * minute, minHard: Int = 20, ratio: Double = 0.5, baseline: Int64 = 24 * 60 * minute,
        maxDomains: Int = 100_000, buckets: Int = 15
    ) {
        self.window = max(1, window)
        self.minHard = max(1, minHard)
        self.ratio = min(1, max(Double.leastNonzeroMagnitude, ratio))
        self.baseline = max(self.window, baseline)
        self.maxDomains = max(1, maxDomains)
        self.buckets = max(1, buckets)
    }
}
