import BounceCore

/// Everything one batch of lines produced, committed in one transaction (architecture invariant 1).
public struct Batch: Sendable {
    /// Where new events go.
    public enum Sink: Sendable, Hashable {
        /// Into the outbox, for a dispatcher to deliver (webhook, JSON Lines).
        case outbox
        /// Straight into the local `bounces` table (the embedded default). Held events still go to
        /// the outbox as held, so the operator sees and decides them.
        case localStore
    }

    /// The new positions of the sources whose lines this batch covers.
    public var positions: [SourcePosition]
    /// Tracker state to write (insert or replace).
    public var trackerUpserts: [(key: String, bytes: [UInt8])]
    /// Tracker state to remove (finished messages).
    public var trackerDeletes: [String]
    /// New bounce events. A key already seen is counted as a duplicate and adds no row; what it knows that the
    /// stored bounce lacks (listmonk UUIDs, Message-ID, sender) is merged into it (see ``BatchResult/enriched``).
    public var events: [BounceEvent]
    /// Hold reasons that override the event's own action, by dedup key: the backfill's
    /// "older than the configured age" (`too-old`) and "superseded by a later delivery" (`superseded`).
    public var holds: [String: String]
    public var sink: Sink
    /// Deliveries and first deferrals to add to the outcome counts (the events' own outcomes are counted too).
    public var tallies: [OutcomeTally] {
        // What was prepared for the old tallies does not describe the new ones.
        didSet { preparedTallies = nil }
    }
    /// Run-time facts (the spike guard's trips and releases) to record with the batch.
    public var facts: [RuntimeFact]
    /// For events read from report mails, by dedup key: how each joins the logs' bounce for the same message
    /// and recipient, and whether it must name a message the logs show we sent (``MailJoin``). Events without
    /// an entry are log events.
    public var mailJoins: [String: MailJoin]
    /// ``tallies`` prepared ahead (``prepareTallies()``); nil (also after ``tallies`` changed): the commit
    /// prepares them.
    public private(set) var preparedTallies: PreparedTallies?

    /// Computes what committing ``tallies`` needs besides the SQL (hashes, outcome cells), on the caller's thread:
    /// a backfill calls it on its tracking thread, so that its committing thread only runs the SQL.
    public mutating func prepareTallies() {
        preparedTallies = PreparedTallies(tallies)
    }

    public init(
        positions: [SourcePosition] = [], trackerUpserts: [(key: String, bytes: [UInt8])] = [],
        trackerDeletes: [String] = [], events: [BounceEvent] = [], holds: [String: String] = [:], sink: Sink = .outbox,
        tallies: [OutcomeTally] = [], facts: [RuntimeFact] = [], mailJoins: [String: MailJoin] = [:]
    ) {
        self.mailJoins = mailJoins
        self.tallies = tallies
        self.facts = facts
        self.positions = positions
        self.trackerUpserts = trackerUpserts
        self.trackerDeletes = trackerDeletes
        self.events = events
        self.holds = holds
        self.sink = sink
    }
}

/// What a committed batch did with its events.
public struct BatchResult: Sendable, Hashable {
    /// Events whose dedup key was new (outbox rows plus local-store rows).
    public var inserted: Int
    /// Events whose dedup key was already known; no new row was written for them.
    public var duplicates: Int
    /// Of `inserted`, how many went in held.
    public var held: Int
    /// Of `inserted`, how many went straight into the local `bounces` table.
    public var storedLocally: Int
    /// Of `duplicates`, how many brought listmonk UUIDs (or a Message-ID or sender) that the stored bounce
    /// lacked and were merged into it: its `bounces` row, or its outbox row while not yet delivered.
    public var enriched: Int
    /// Of `duplicates`, how many brought a UUID the stored bounce lacks after it was delivered (or while it
    /// was being delivered): listmonk has no update, so it stays as sent. Counted once per dedup key.
    public var enrichTooLate: Int
    /// Of `duplicates`, how many disagreed with a value already stored (a different UUID, Message-ID or
    /// sender): the stored values are kept and nothing is merged. Counted once per dedup key.
    public var enrichConflicts: Int
    /// One entry per `enrichTooLate` and `enrichConflicts`, for the caller's log (one info line each).
    public var enrichmentNotices: [EnrichmentNotice]
    /// Outcomes (events, deliveries, deferrals) added to the outcome counts: those not counted before.
    public var counted: Int = 0
    /// New events (their dedup key was new; not in `inserted` nor `duplicates`) that were the same bounce as an
    /// event the other reader (log or mail) had already stored: they added no row and were merged into that event
    /// (one bounce, one event). Their keys are claimed, so reading them again makes them duplicates.
    public var joined: Int = 0
    /// Of `held`, how many report-mail events were held because no log showed the message sent to the recipient.
    public var heldUnmatched: Int = 0
    /// Held report-mail events released because a log line now shows the message (its bounce or its delivery).
    public var unmatchedReleased: Int = 0

    public init(
        inserted: Int = 0, duplicates: Int = 0, held: Int = 0, storedLocally: Int = 0, enriched: Int = 0,
        enrichTooLate: Int = 0, enrichConflicts: Int = 0, enrichmentNotices: [EnrichmentNotice] = [], counted: Int = 0
    ) {
        self.counted = counted
        self.inserted = inserted
        self.duplicates = duplicates
        self.held = held
        self.storedLocally = storedLocally
        self.enriched = enriched
        self.enrichTooLate = enrichTooLate
        self.enrichConflicts = enrichConflicts
        self.enrichmentNotices = enrichmentNotices
    }
}

/// A later reader's UUID that could not be merged into a stored bounce (see ``BatchResult``).
public struct EnrichmentNotice: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// The bounce was already delivered (or in flight) without it.
        case tooLate = "too_late"
        /// It disagrees with a value already stored; the stored one is kept.
        case conflict
    }

    public var kind: Kind
    public var dedupKey: String
    public var email: String
    /// One sentence: what arrived, what is stored, what happened.
    public var detail: String

    public init(kind: Kind, dedupKey: String, email: String, detail: String) {
        self.kind = kind
        self.dedupKey = dedupKey
        self.email = email
        self.detail = detail
    }
}
