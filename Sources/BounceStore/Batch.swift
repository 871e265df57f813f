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
    /// New bounce events. A key already seen is counted as a duplicate and adds nothing.
    public var events: [BounceEvent]
    /// Hold reasons that override the event's own action, by dedup key: the backfill's
    /// "older than the configured age" (`too-old`) and "superseded by a later delivery" (`superseded`).
    public var holds: [String: String]
    public var sink: Sink

    public init(
        positions: [SourcePosition] = [], trackerUpserts: [(key: String, bytes: [UInt8])] = [],
        trackerDeletes: [String] = [], events: [BounceEvent] = [], holds: [String: String] = [:], sink: Sink = .outbox
    ) {
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
    /// Events whose dedup key was already known; nothing was written for them.
    public var duplicates: Int
    /// Of `inserted`, how many went in held.
    public var held: Int
    /// Of `inserted`, how many went straight into the local `bounces` table.
    public var storedLocally: Int

    public init(inserted: Int = 0, duplicates: Int = 0, held: Int = 0, storedLocally: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.held = held
        self.storedLocally = storedLocally
    }
}
