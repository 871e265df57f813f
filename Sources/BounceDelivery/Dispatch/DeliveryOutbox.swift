import BounceStore
import Foundation

/// One outbox event as the dispatcher sees it.
public struct OutboxItem: Sendable, Hashable {
    /// The outbox row id.
    public var id: Int64
    /// The event's identity (MTA host, queue id, first-seen time or Message-ID, recipient, final status).
    public var dedupKey: String
    /// The webhook JSON stored at enqueue time, sent as is.
    public var body: String
    /// When the event entered the outbox.
    public var enqueuedAt: Date
    /// Failed attempts so far (pause answers do not count).
    public var attempts: Int
    /// When its first failed attempt happened, if the outbox keeps that; the age limit counts from here, or
    /// from ``enqueuedAt`` when nil.
    public var firstFailureAt: Date?

    public init(
        id: Int64, dedupKey: String, body: String, enqueuedAt: Date, attempts: Int = 0, firstFailureAt: Date? = nil
    ) {
        self.id = id
        self.dedupKey = dedupKey
        self.body = body
        self.enqueuedAt = enqueuedAt
        self.attempts = attempts
        self.firstFailureAt = firstFailureAt
    }
}

/// The durable queue the dispatcher drains: the state database in production, an in-memory table in tests.
///
/// Every method is one committed change: after ``markSent(id:at:)`` returns, a crash must not bring the event back.
public protocol DeliveryOutbox: Sendable {
    /// Claims pending events whose next attempt is due at `now`, oldest first, at most `limit`.
    ///
    /// A claimed event is not handed out again until one of the other calls settles it (or, in a store that
    /// survives a crash, until its claim times out). Sent, held and dead events are never handed out.
    func claimDue(limit: Int, now: Date) async throws -> [OutboxItem]
    /// The event was delivered (a 2xx, or written by a local sink).
    func markSent(id: Int64, at: Date) async throws
    /// The attempt failed for a passing reason: count it and try again at `at`.
    func scheduleRetry(id: Int64, at: Date, error: String, status: Int?) async throws
    /// The sink refused the event for good, or its retries ran past the age limit: keep it as a dead letter with
    /// the answer (`status`, and listmonk's message or the give-up reason as `body`).
    func markDead(id: Int64, at: Date, status: Int?, body: String) async throws
    /// The attempt did not count (a pause answer, or the event was claimed but not sent): make the event due again
    /// at once, without counting an attempt. A no-op for an outbox without claims.
    func release(id: Int64) async throws
    /// When to look for due events again: the earliest next-attempt time of any pending event if the outbox
    /// knows it cheaply, any time in the future otherwise; nil when no event is pending (held, sent and dead
    /// events do not count).
    func nextDue() async throws -> Date?
    /// Delivery paused or resumed: kept so the report can show it after the fact (the state database's
    /// `runtime_facts`). A failure here is logged and changes nothing else.
    func record(_ fact: RuntimeFact) async throws
}
