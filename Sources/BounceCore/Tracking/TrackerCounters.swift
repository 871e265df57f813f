/// What the tracker decided not to emit, and why: for metrics and the backfill summary.
public struct TrackerCounters: Sendable, Hashable, Codable {
    /// Outcomes emitted.
    public var outcomes: Int = 0
    /// Outcomes of messages the sender filter rejected.
    public var filtered: Int = 0
    /// Failures of bounce notifications (`from=<>`): never subscriber bounces.
    public var bounceNotifications: Int = 0
    /// A second final line for a (message, recipient) that already had its outcome (e.g. expiry after a
    /// `deferred` too-long outcome).
    public var suppressedRepeats: Int = 0
    /// Postfix `status=expired` for a message with no deferred recipient on record (history not seen).
    public var expiredWithoutRecipients: Int = 0
    /// Successful deliveries (no event).
    public var delivered: Int = 0
    /// Hand-offs to a content filter, followed under the new queue id.
    public var filterHandOffs: Int = 0
    /// Messages dropped because they were older than the maximum age.
    public var evictedByAge: Int = 0
    /// Messages dropped because the tracker held its maximum count.
    public var evictedByCount: Int = 0
    /// A new message under a queue id whose `removed` line was never seen.
    public var queueIDReused: Int = 0
    /// State rows restored under a new key because their host's identity changed (an upgrade from keys
    /// that always carried `general.host_name`, a new alias): rewritten at the next commit.
    public var restoredUnderNewHost: Int = 0

    public init() {}
}

/// A successful delivery, for holding bounces superseded by a later delivery to the same address.
public struct SuccessfulDelivery: Sendable, Hashable, Codable {
    /// Lower-cased; `orig_to` when the line had it (the address listmonk sent to), as in ``BounceEvent/email``.
    public var address: String
    public var time: LogTime
    public var mta: MTA
    public var queueID: String

    public init(address: String, time: LogTime, mta: MTA, queueID: String) {
        self.address = address
        self.time = time
        self.mta = mta
        self.queueID = queueID
    }
}

/// Tracker state changed since the last ``MessageTracker/drainChanges()``, for the state database.
///
/// `upserted` and `deleted` never share a key. Apply deletions and upserts in the same transaction as the
/// position and the outbox rows they belong to.
public struct TrackerChanges: Sendable, Hashable {
    /// Key → the message's state as JSON (UTF-8).
    public var upserted: [String: [UInt8]]
    public var deleted: Set<String>

    public init(upserted: [String: [UInt8]] = [:], deleted: Set<String> = []) {
        self.upserted = upserted
        self.deleted = deleted
    }

    public var isEmpty: Bool { upserted.isEmpty && deleted.isEmpty }

    /// The upserts as a list sorted by key (a deterministic write order for the store).
    public var upsertList: [(key: String, bytes: [UInt8])] {
        upserted.keys.sorted().map { ($0, upserted[$0]!) }
    }

    /// The deletions sorted.
    public var deletedList: [String] { deleted.sorted() }
}

/// A persisted state row that could not be restored.
public struct TrackerRestoreError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var problem: String
    public var description: String {
        "cannot restore tracker state for \(key): \(problem); delete that row from the state database (the message's bounces may then lack its listmonk UUIDs) or restore a backup"
    }
}
