import Foundation

/// Exponential backoff with full jitter, bounded by the age of the event rather than by a count.
///
/// The n-th retry waits a uniformly random time in `0 ... min(maxDelay, baseDelay · 2ⁿ)` ("full jitter", which
/// spreads a crowd of retries best). An event whose retries have lasted `maxAge` is given up and dead-lettered, so
/// a listmonk that is down for a weekend delays bounces but loses none, and a listmonk that never recovers ends in
/// dead letters an operator can list and retry. Pure: the caller passes the time and the random source.
public struct BackoffPolicy: Sendable, Hashable {
    /// The ceiling of the first retry's wait.
    public var baseDelay: Duration
    /// The largest wait between two attempts.
    public var maxDelay: Duration
    /// How long an event may keep failing before it is dead-lettered ("gave up after N days").
    public var maxAge: Duration

    public init(
        baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(600), maxAge: Duration = .seconds(7 * 86_400)
    ) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAge = maxAge
    }

    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Try again at this time.
        case retry(at: Date)
        /// Stop: dead-letter the event with this explanation.
        case giveUp(reason: String)
    }

    /// The ceiling of the wait after `attempts` failed attempts (1 = the first failure).
    public func ceiling(afterAttempts attempts: Int) -> Duration {
        let exponent = min(max(attempts - 1, 0), 40)
        let base = baseDelay.seconds
        return .seconds(min(maxDelay.seconds, base * pow(2, Double(exponent))))
    }

    /// Decides the next attempt after a failure.
    /// - Parameters:
    ///   - attempts: failed attempts so far, this one included.
    ///   - since: when the event's failures began (its first failed attempt, or its enqueue time).
    ///   - now: the time of this failure.
    ///   - serverDelay: a `Retry-After` the server sent; it replaces the jittered wait (capped at `maxDelay`).
    ///   - lastError: the failure, for the give-up reason.
    ///   - random: the jitter source.
    public func decide(
        attempts: Int, since: Date, now: Date, serverDelay: Duration? = nil, lastError: String,
        random: inout some RandomNumberGenerator
    ) -> Decision {
        let age = now.timeIntervalSince(since)
        if age >= maxAge.seconds {
            return .giveUp(
                reason: "gave up after \(Self.describe(age)) and \(attempts) attempts; last error: \(lastError)")
        }
        let wait: Double
        if let serverDelay {
            wait = min(max(serverDelay.seconds, 0), maxDelay.seconds)
        } else {
            wait = Double.random(in: 0...ceiling(afterAttempts: attempts).seconds, using: &random)
        }
        return .retry(at: now.addingTimeInterval(wait))
    }

    /// "3 days", "5 hours", "12 minutes", "40 seconds": the largest whole unit.
    static func describe(_ seconds: Double) -> String {
        let units: [(Double, String)] = [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")]
        for (size, name) in units where seconds >= size {
            let n = Int(seconds / size)
            return "\(n) \(name)\(n == 1 ? "" : "s")"
        }
        return String(format: "%.1f seconds", seconds)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
