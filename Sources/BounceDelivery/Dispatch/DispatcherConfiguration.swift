/// How the dispatcher paces and retries delivery.
public struct DispatcherConfiguration: Sendable, Hashable {
    /// Requests in flight at once.
    public var concurrency: Int
    /// Requests per second on average; nil for no limit.
    public var rateLimit: Double?
    /// Requests that may go back to back when the limit has not been used for a while.
    public var burst: Double
    public var backoff: BackoffPolicy
    /// Passing failures in a row that open the circuit breaker.
    public var breakerThreshold: Int
    /// How long the breaker first stays open; doubled after each failed trial up to `breakerMaxOpen`.
    public var breakerOpen: Duration
    public var breakerMaxOpen: Duration
    /// The first wait between probes while paused; grows by half up to `maxProbeInterval`.
    public var probeInterval: Duration
    public var maxProbeInterval: Duration
    /// How often to look at the outbox when nothing has woken the dispatcher (``Dispatcher/wake()``).
    public var idlePoll: Duration

    public init(
        concurrency: Int = 4, rateLimit: Double? = 20, burst: Double = 20, backoff: BackoffPolicy = BackoffPolicy(),
        breakerThreshold: Int = 5, breakerOpen: Duration = .seconds(5), breakerMaxOpen: Duration = .seconds(300),
        probeInterval: Duration = .seconds(30), maxProbeInterval: Duration = .seconds(300),
        idlePoll: Duration = .seconds(1)
    ) {
        self.concurrency = max(1, concurrency)
        self.rateLimit = rateLimit
        self.burst = burst
        self.backoff = backoff
        self.breakerThreshold = breakerThreshold
        self.breakerOpen = breakerOpen
        self.breakerMaxOpen = breakerMaxOpen
        self.probeInterval = probeInterval
        self.maxProbeInterval = maxProbeInterval
        self.idlePoll = idlePoll
    }
}
