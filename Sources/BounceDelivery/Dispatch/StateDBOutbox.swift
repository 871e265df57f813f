import BounceStore
import Foundation

/// The state database's outbox as the dispatcher's ``DeliveryOutbox``.
///
/// Claims use the database's `claimed_until` column: a process that dies mid-request leaves its events claimed
/// only until the claim times out, or until the next delivery-lease holder calls `releaseClaims()`.
///
/// `StateDB` calls block their thread for the SQL and the commit's fsync: one short write per answer.
public struct StateDBOutbox: DeliveryOutbox {
    public let database: StateDB
    /// How long a claimed event stays invisible to other claims if its answer is never recorded; longer than the
    /// request timeout.
    public var claimTimeout: TimeInterval

    /// - Parameters:
    ///   - database: the state database. The caller holds the delivery lease and has called `releaseClaims()`.
    ///   - claimTimeout: a claim's lifetime.
    public init(database: StateDB, claimTimeout: TimeInterval = 300) {
        self.database = database
        self.claimTimeout = claimTimeout
    }

    public func claimDue(limit: Int, now: Date) async throws -> [OutboxItem] {
        try database.claimDue(limit: limit, now: now, claimTimeout: claimTimeout).map {
            OutboxItem(
                id: $0.id, dedupKey: $0.dedupKey, body: $0.body, enqueuedAt: $0.enqueuedAt, attempts: $0.attempts,
                firstFailureAt: $0.firstFailureAt)
        }
    }

    public func record(_ fact: RuntimeFact) async throws {
        try database.record([fact])
    }

    public func markSent(id: Int64, at: Date) async throws {
        try database.markSent(id, status: 200, at: at)
    }

    public func scheduleRetry(id: Int64, at: Date, error: String, status: Int?) async throws {
        try database.scheduleRetry(id, at: at, error: error, status: status)
    }

    public func markDead(id: Int64, at: Date, status: Int?, body: String) async throws {
        try database.moveToDead(id, status: status, body: body, error: body, at: at)
    }

    public func release(id: Int64) async throws {
        try database.releaseClaim(id)
    }

    public func nextDue() async throws -> Date? {
        try database.nextDue()
    }
}
