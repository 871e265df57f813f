import Foundation

/// A token bucket: at most `rate` requests per second on average, with bursts up to `burst`.
///
/// Pure value: the caller passes the time. A backfill of a year of logs then reaches listmonk at a steady,
/// configured pace instead of all at once.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens added per second.
    public let rate: Double
    /// The bucket's size: the most requests that may go out back to back.
    public let burst: Double
    private var tokens: Double
    private var updated: Date?

    /// - Parameters:
    ///   - rate: requests per second, > 0.
    ///   - burst: the bucket size, at least 1; it starts full.
    public init(rate: Double, burst: Double) {
        precondition(rate > 0, "a token bucket needs a positive rate")
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = self.burst
    }

    private mutating func refill(now: Date) {
        if let updated {
            let elapsed = max(0, now.timeIntervalSince(updated))
            tokens = min(burst, tokens + elapsed * rate)
        }
        updated = now
    }

    /// Takes a token if there is one. Returns nil on success, or how long to wait before one will be there.
    public mutating func take(now: Date) -> Duration? {
        refill(now: now)
        // Within rounding of a whole token counts as one: otherwise float error asks for a wait of a nanosecond,
        // which a `Date` cannot even represent.
        if tokens >= 1 - 1e-6 {
            tokens = max(0, tokens - 1)
            return nil
        }
        let missing = 1 - tokens
        return .nanoseconds(Int64((missing / rate * 1e9).rounded(.up)))
    }

    /// The tokens available at `now` (for tests and metrics).
    public mutating func available(now: Date) -> Double {
        refill(now: now)
        return tokens
    }
}
