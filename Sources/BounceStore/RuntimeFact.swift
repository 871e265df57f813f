import Foundation

/// Something that happened while running that the report shows after the fact (`runtime_facts`).
public struct RuntimeFact: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Delivery stopped: every request would get the same answer (subject: the reason).
        case deliveryPaused = "delivery_paused"
        /// Delivery went on after a pause.
        case deliveryResumed = "delivery_resumed"
        /// The spike guard began holding a domain's hard bounces (subject: the domain).
        case guardTripped = "guard_tripped"
        /// The spike guard let a domain go (subject: the domain).
        case guardReleased = "guard_released"
    }

    public var kind: Kind
    /// When: the wall clock for delivery, the log time for the spike guard.
    public var at: Date
    /// The reason of a pause, the domain of a guard transition.
    public var subject: String
    /// The HTTP status of a pause, when there was one.
    public var status: Int?
    /// One sentence for the operator.
    public var detail: String

    public init(kind: Kind, at: Date, subject: String, status: Int? = nil, detail: String = "") {
        self.kind = kind
        self.at = at
        self.subject = subject
        self.status = status
        self.detail = detail
    }
}

extension StateDB {
    /// Records facts in their own transaction (delivery pauses and resumptions, a backfill's guard transitions).
    /// A fact already recorded (same kind, subject and time) is not recorded again.
    public func record(_ facts: [RuntimeFact]) throws(StateDBError) {
        guard !facts.isEmpty else { return }
        try inTransaction { c in try Self.insertFacts(c, facts) }
    }

    static func insertFacts(_ c: SQLiteConnection, _ facts: [RuntimeFact]) throws {
        for f in facts {
            try c.run(
                "INSERT OR IGNORE INTO runtime_facts (at, kind, subject, status, detail) VALUES (?, ?, ?, ?, ?)",
                [
                    .int(Timestamps.micros(f.at)), .text(f.kind.rawValue), .text(f.subject),
                    .int(f.status.map(Int64.init)), .text(f.detail),
                ])
        }
    }

    /// Facts recorded at or after `since` and before `until` (either may be nil), oldest first.
    public func facts(since: Date? = nil, until: Date? = nil) throws(StateDBError) -> [RuntimeFact] {
        try withConnection { c in
            var out: [RuntimeFact] = []
            try c.cached(
                "SELECT at, kind, subject, status, detail FROM runtime_facts WHERE at >= ? AND at < ? ORDER BY at, id"
            ).query([
                .int(since.map(Timestamps.micros) ?? .min), .int(until.map(Timestamps.micros) ?? .max),
            ]) { row in
                guard let kind = RuntimeFact.Kind(rawValue: row.text(1)) else { return }
                out.append(
                    RuntimeFact(
                        kind: kind, at: Timestamps.date(row.int64(0)), subject: row.text(2),
                        status: row.optionalInt64(3).map(Int.init), detail: row.text(4)))
            }
            return out
        }
    }
}
