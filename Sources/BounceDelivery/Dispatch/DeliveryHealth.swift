import Foundation

/// What `/healthz` and `outbox status` say about delivery.
public enum DeliveryHealth: Sendable, Hashable, CustomStringConvertible {
    /// Delivering, or idle with nothing to deliver.
    case healthy
    /// listmonk looks down (the circuit breaker is open); retrying after `until`.
    case degraded(reason: String, until: Date)
    /// Every request would fail the same way (credentials, webhooks or bounce processing off): nothing is sent,
    /// nothing is lost, a probe checks every so often.
    case paused(reason: String, status: Int?, since: Date)

    public var isHealthy: Bool {
        if case .healthy = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .healthy: return "healthy"
        case .degraded(let reason, let until):
            return "degraded: listmonk looks down (\(reason)); next try at \(until)"
        case .paused(let reason, _, let since):
            return "paused since \(since): \(reason)"
        }
    }
}

/// Counters of what the dispatcher did, since it started.
public struct DeliveryStats: Sendable, Hashable {
    /// Requests by outcome: the HTTP status (`"200"`, `"400"`, `"503"`) or `"transport"` when no answer came.
    public var requestsByStatus: [String: Int] = [:]
    /// Events marked sent.
    public var sent = 0
    /// Failed attempts scheduled for a retry.
    public var retried = 0
    /// Events moved to the dead letters (rejected, or given up at the age limit).
    public var dead = 0
    /// Times delivery paused.
    public var pauses = 0
    /// Times the circuit breaker opened.
    public var breakerOpenings = 0
    /// Probes sent while paused.
    public var probes = 0
    /// Outbox operations that failed (the event stays pending and is tried again).
    public var outboxErrors = 0

    public init() {}

    /// All requests made.
    public var requests: Int { requestsByStatus.values.reduce(0, +) }
}
