import Foundation

/// A circuit breaker in front of listmonk: after `failureThreshold` passing failures in a row (connection errors,
/// timeouts, 5xx) it opens and lets nothing through for `openDuration`, then half-opens to let one trial request
/// through. The trial's success closes it; its failure opens it again for twice as long, up to `maxOpenDuration`.
///
/// Pure value: the caller passes the time. It keeps a listmonk that is down from being hammered by every
/// event's own retry schedule.
public struct CircuitBreaker: Sendable, Hashable {
    /// The breaker's state.
    public enum State: Sendable, Hashable {
        /// Requests flow; `failures` passing failures in a row so far.
        case closed(failures: Int)
        /// Nothing goes out until `until`.
        case open(until: Date, lastError: String)
        /// One trial request is (or may be) in flight.
        case halfOpen(trialInFlight: Bool)
    }

    public var failureThreshold: Int
    public var openDuration: Duration
    public var maxOpenDuration: Duration
    public private(set) var state: State = .closed(failures: 0)
    private var currentOpen: Duration

    public init(
        failureThreshold: Int = 5, openDuration: Duration = .seconds(5), maxOpenDuration: Duration = .seconds(300)
    ) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
        self.maxOpenDuration = max(openDuration, maxOpenDuration)
        self.currentOpen = openDuration
    }

    /// What the caller may do now.
    public enum Permission: Sendable, Hashable {
        /// Send normally.
        case allowed
        /// Send exactly one request, as the trial (then wait for its result).
        case trial
        /// Send nothing until this time.
        case wait(until: Date)
    }

    /// Asks whether a request may go out at `now`; a `.trial` answer marks the trial as in flight.
    public mutating func permission(now: Date) -> Permission {
        switch state {
        case .closed:
            return .allowed
        case .open(let until, _):
            if now < until { return .wait(until: until) }
            state = .halfOpen(trialInFlight: true)
            return .trial
        case .halfOpen(let inFlight):
            if inFlight { return .wait(until: now.addingTimeInterval(openDuration.seconds)) }
            state = .halfOpen(trialInFlight: true)
            return .trial
        }
    }

    /// Records an answer that proves listmonk is up (2xx, 400, even a pause answer): closes the breaker.
    public mutating func recordSuccess() {
        state = .closed(failures: 0)
        currentOpen = openDuration
    }

    /// Records a passing failure at `now`. Returns true when this failure opened the breaker.
    @discardableResult
    public mutating func recordFailure(now: Date, error: String) -> Bool {
        switch state {
        case .closed(let failures):
            if failures + 1 >= failureThreshold {
                state = .open(until: now.addingTimeInterval(currentOpen.seconds), lastError: error)
                return true
            }
            state = .closed(failures: failures + 1)
            return false
        case .halfOpen:
            currentOpen = min(currentOpen * 2, maxOpenDuration)
            state = .open(until: now.addingTimeInterval(currentOpen.seconds), lastError: error)
            return true
        case .open(let until, _):
            // A request that left before the breaker opened; keep the later deadline.
            state = .open(until: until, lastError: error)
            return false
        }
    }

    /// Whether requests are being held back.
    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }
}
