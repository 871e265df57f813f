import Foundation

/// The state of an outbox row.
public enum OutboxState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for delivery (possibly after a failed attempt, until `nextAttemptAt`).
    case pending
    /// Kept back by policy (sender fault, too old, superseded) until the operator releases it.
    case held
    /// Delivered: the sink answered 2xx.
    case sent
    /// Rejected for good (a 400 from listmonk); `lastStatus` and `lastBody` say why.
    case dead
}

/// One row of the outbox, as the dispatcher and the `outbox` commands see it.
public struct OutboxRow: Sendable, Hashable {
    public var id: Int64
    public var dedupKey: String
    public var state: OutboxState
    /// `event` for a bounce read from a log, `replay` for a deliberate resend of a stored bounce.
    public var kind: String
    /// The webhook body, JSON.
    public var body: String
    public var email: String
    /// Sisimai reason name.
    public var reason: String
    /// `hard`, `soft` or `complaint`.
    public var type: String
    public var fault: String
    public var action: String
    public var mtaHost: String
    /// The recipient's domain.
    public var remoteDomain: String
    /// The log time of the bounce.
    public var createdAt: Date
    /// When the row entered the outbox.
    public var enqueuedAt: Date
    public var attempts: Int
    public var nextAttemptAt: Date
    /// When the first failed attempt happened (the dispatcher's maximum age may count from here).
    public var firstFailureAt: Date?
    public var lastError: String?
    /// The HTTP status of the last answer, if there was one.
    public var lastStatus: Int?
    /// The body of the last answer (listmonk's `{"message": ...}` for a dead letter).
    public var lastBody: String?
    public var sentAt: Date?
    public var deadAt: Date?
    public var holdReason: String?

    static let columns = """
        id, dedup_key, state, kind, body, email, reason, type, fault, action, mta_host, remote_domain, created_at,
        enqueued_at, attempts, next_attempt_at, last_error, last_status, last_body, sent_at, dead_at, hold_reason, first_failure_at
        """

    init(_ s: SQLiteStatement) {
        id = s.int64(0)
        dedupKey = s.text(1)
        state = OutboxState(rawValue: s.text(2)) ?? .pending
        kind = s.text(3)
        body = s.text(4)
        email = s.text(5)
        reason = s.text(6)
        type = s.text(7)
        fault = s.text(8)
        action = s.text(9)
        mtaHost = s.text(10)
        remoteDomain = s.text(11)
        createdAt = Timestamps.date(s.int64(12))
        enqueuedAt = Timestamps.date(s.int64(13))
        attempts = Int(s.int64(14))
        nextAttemptAt = Timestamps.date(s.int64(15))
        lastError = s.optionalText(16)
        lastStatus = s.optionalInt64(17).map { Int($0) }
        lastBody = s.optionalText(18)
        sentAt = s.optionalInt64(19).map(Timestamps.date)
        deadAt = s.optionalInt64(20).map(Timestamps.date)
        holdReason = s.optionalText(21)
        firstFailureAt = s.optionalInt64(22).map(Timestamps.date)
    }
}

/// Counts for `bouncetail outbox status`.
public struct OutboxStatus: Sendable, Hashable {
    public var pending: Int
    public var held: Int
    public var sent: Int
    public var dead: Int
    /// Rows in the local `bounces` table.
    public var stored: Int
    /// How long the oldest pending row has waited since it was enqueued; nil when none is pending.
    public var oldestPendingAge: TimeInterval?

    public init(pending: Int, held: Int, sent: Int, dead: Int, stored: Int, oldestPendingAge: TimeInterval?) {
        self.pending = pending
        self.held = held
        self.sent = sent
        self.dead = dead
        self.stored = stored
        self.oldestPendingAge = oldestPendingAge
    }
}

/// A filter for ``StateDB/list(_:)``.
public struct OutboxQuery: Sendable {
    /// The states to include; empty for all.
    public var states: Set<OutboxState>
    /// Match the Sisimai reason or the hold reason.
    public var reason: String?
    public var email: String?
    /// Log time at or after.
    public var since: Date?
    public var limit: Int
    /// Rows after this id (paging).
    public var afterID: Int64

    public init(
        states: Set<OutboxState>, reason: String? = nil, email: String? = nil, since: Date? = nil, limit: Int = 100,
        afterID: Int64 = 0
    ) {
        self.states = states
        self.reason = reason
        self.email = email
        self.since = since
        self.limit = limit
        self.afterID = afterID
    }
}
