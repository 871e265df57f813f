import BounceCore
import Foundation

/// What one row of `outcome_counts` counts.
public enum OutcomeClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// A recipient the MTA delivered to.
    case delivered
    /// A hard bounce (permanent failure), forwarded or held.
    case hard
    /// A soft bounce (an expiry, a deferral past the configured age), forwarded or held.
    case soft
    /// A complaint (never from an MTA log today; kept so a count never falls out of the table).
    case complaint
    /// A message deferred at least once (counted once per message, at its first deferred line).
    case deferred
    /// Of hard and soft: the sender-fault holds (our IP or content was refused; not the recipient's fault).
    case held
}

/// One row of the outcome counts.
public struct OutcomeCount: Sendable, Hashable {
    /// Days since 1970-01-01, UTC, of the outcomes' log time.
    public var day: Int
    public var host: String
    public var domain: String
    /// The listmonk campaign UUID, "" when unknown.
    public var campaign: String
    public var outcome: OutcomeClass
    public var count: Int

    public init(day: Int, host: String, domain: String, campaign: String, outcome: OutcomeClass, count: Int) {
        self.day = day
        self.host = host
        self.domain = domain
        self.campaign = campaign
        self.outcome = outcome
        self.count = count
    }
}

/// A selection of outcome counts: a day range and optionally one domain and one campaign.
public struct OutcomeCountQuery: Sendable, Hashable {
    /// First day (inclusive), days since the epoch; nil: from the start.
    public var fromDay: Int?
    /// Last day (exclusive); nil: to the end.
    public var toDay: Int?
    public var domain: String?
    public var campaign: String?

    public init(fromDay: Int? = nil, toDay: Int? = nil, domain: String? = nil, campaign: String? = nil) {
        self.fromDay = fromDay
        self.toDay = toDay
        self.domain = domain
        self.campaign = campaign
    }
}

extension StateDB {
    static let microsPerDay: Int64 = 86_400_000_000
    /// `kv` key: counts for days before this were pruned, so an outcome of such a day read again is not counted
    /// into a day that no longer has its other outcomes.
    static let countsPrunedBeforeKey = "outcome_counts.pruned_before_day"

    /// The UTC day (days since the epoch) of a time in microseconds.
    public static func day(ofMicros micros: Int64) -> Int {
        Int(micros >= 0 ? micros / microsPerDay : (micros - microsPerDay + 1) / microsPerDay)
    }

    /// The whole second (since the epoch, rounded down) an outcome's claim is filed under in `outcome_claims`.
    static func claimSeconds(ofMicros micros: Int64) -> Int64 {
        micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    }

    /// How one tally's claim went (``countOutcomes(_:events:tallies:prepared:)``).
    enum TallyClaim: Equatable {
        /// Claimed now: counted, and a delivery is added to the sent index.
        case new
        /// Claimed before, in `outcome_claims`: counted then, and a delivery's sent-index row written then.
        case known
        /// Not counted: its day's counts were pruned, or it was claimed before schema version 5 (in `outcome_keys`,
        /// when a delivery's sent-index row may not have been written): a delivery is added only when missing.
        case uncounted
    }

    /// Claims an outcome's identity (`outcome_claims`), inside the batch's transaction.
    struct Claimer {
        let prunedBefore: Int?
        let insert: SQLiteStatement
        /// The claims made before schema version 5, while any is left (none in a database created since).
        let legacy: SQLiteStatement?

        init(_ c: SQLiteConnection) throws {
            prunedBefore = Int(
                try c.scalarText("SELECT value FROM kv WHERE key = ?", [.text(countsPrunedBeforeKey)]) ?? "")
            // Looked up once per batch, not once per outcome (the cache is keyed by the SQL text, hashed whole).
            insert = try c.cached("INSERT OR IGNORE INTO outcome_claims (at, id) VALUES (?, ?)")
            legacy =
                try c.scalarInt("SELECT EXISTS (SELECT 1 FROM outcome_keys)") == 1
                ? try c.cached("SELECT 1 FROM outcome_keys WHERE id = ?") : nil
        }

        /// Claims every tally of a batch, as ``claim(_:at:day:)`` one by one would (in order: of two with one
        /// identity the first is new), but with one range query per run of close seconds for the claims already
        /// made and the new ones inserted in multi-row statements, instead of a statement per tally.
        func claimAll(_ c: SQLiteConnection, _ entries: [PreparedTallies.Entry]) throws -> [TallyClaim] {
            var claims = [TallyClaim](repeating: .uncounted, count: entries.count)
            var open: [Int] = []
            open.reserveCapacity(entries.count)
            for (i, e) in entries.enumerated() {
                if let prunedBefore, e.day < prunedBefore { continue }
                if let legacy {
                    var found = false
                    try legacy.query([.int(e.claimID)]) { _ in found = true }
                    if found { continue }
                }
                open.append(i)
            }
            if open.isEmpty { return claims }
            struct Claim: Hashable {
                var at: Int64
                var id: Int64
            }
            // The claims already made in the seconds these fall in: a log read in order gives one run per batch;
            // a gap of more than a minute starts another, so that a batch of two distant times reads neither the
            // claims between them nor, in a log read again, more than its own.
            var made = Set<Claim>()
            let seconds = open.map { entries[$0].claimAt }.sorted()
            let range = try c.cached("SELECT at, id FROM outcome_claims WHERE at >= ? AND at <= ?")
            var low = seconds[0]
            var high = low
            func readRun() throws {
                try range.query([.int(low), .int(high)]) { made.insert(Claim(at: $0.int64(0), id: $0.int64(1))) }
            }
            for at in seconds.dropFirst() where at != high {
                if at - high > 60 {
                    try readRun()
                    low = at
                }
                high = at
            }
            try readRun()
            let rows = RowAppender(c, into: "outcome_claims", columns: ["at", "id"])
            for i in open {
                let e = entries[i]
                if made.insert(Claim(at: e.claimAt, id: e.claimID)).inserted {
                    claims[i] = .new
                    rows.add(.int(e.claimAt))
                    rows.add(.int(e.claimID))
                    try rows.endRow()
                } else {
                    claims[i] = .known
                }
            }
            try rows.flush()
            return claims
        }

        func claim(_ id: Int64, at seconds: Int64, day: Int) throws -> TallyClaim {
            if let prunedBefore, day < prunedBefore { return .uncounted }
            if let legacy {
                var found = false
                try legacy.query([.int(id)]) { _ in found = true }
                if found { return .uncounted }
            }
            return try insert.run([.int(seconds), .int(id)]) == 1 ? .new : .known
        }
    }

    /// Adds the batch's outcomes to the counts, each identity once ever (inside the batch's transaction): claims
    /// each, then appends one `outcome_deltas` row per cell with new outcomes. Returns how many outcomes were new
    /// and how each tally's claim went (for ``recordSent(_:_:prepared:claims:sink:now:encoder:into:)``).
    static func countOutcomes(
        _ c: SQLiteConnection, events: [PreparedEvent], tallies: [OutcomeTally], prepared: PreparedTallies
    ) throws -> (counted: Int, claims: [TallyClaim]) {
        if events.isEmpty && tallies.isEmpty { return (0, []) }
        let claimer = try Claimer(c)
        var counted = 0
        var eventCells: [PreparedTallies.Cell: Int] = [:]
        for p in events {
            let day = day(ofMicros: p.logTime)
            let id = Int64(bitPattern: OutcomeIdentityHash.fnv1a64(p.event.dedupKey))
            guard try claimer.claim(id, at: claimSeconds(ofMicros: p.logTime), day: day) == .new else { continue }
            counted += 1
            let outcome: OutcomeClass
            switch p.event.type {
            case .hard: outcome = .hard
            case .soft: outcome = .soft
            case .complaint: outcome = .complaint
            }
            var cell = PreparedTallies.Cell(
                day: day, host: p.event.meta.host, domain: domain(of: p.event.email),
                campaign: p.event.campaignUUID ?? "", outcome: outcome)
            eventCells[cell, default: 0] += 1
            if p.event.meta.action == .hold, p.event.meta.fault == .sender {
                cell.outcome = .held
                eventCells[cell, default: 0] += 1
            }
        }
        // The cells' counts were made on the tracking thread as if every claim were new; those that are not are
        // taken off here.
        var counts = prepared.counts
        let claims = try claimer.claimAll(c, prepared.entries)
        for (e, claim) in zip(prepared.entries, claims) {
            if claim == .new { counted += 1 } else { counts[e.cell] -= 1 }
        }
        let deltas = RowAppender(
            c, into: "outcome_deltas", columns: ["day", "host", "domain", "campaign", "outcome", "n"])
        func append(_ cell: PreparedTallies.Cell, _ n: Int) throws {
            deltas.add(.int(Int64(cell.day)))
            deltas.add(.text(cell.host))
            deltas.add(.text(cell.domain))
            deltas.add(.text(cell.campaign))
            deltas.add(.text(cell.outcome.rawValue))
            deltas.add(.int(Int64(n)))
            try deltas.endRow()
        }
        for (cell, n) in zip(prepared.cells, counts) where n > 0 { try append(cell, n) }
        for (cell, n) in eventCells { try append(cell, n) }
        try deltas.flush()
        return (counted, claims)
    }

    /// Adds the oldest `rows` rows of `outcome_deltas` (all when nil) to `outcome_counts`, in key order (each page of
    /// the counts' tree is written once, however many rows land on it), and deletes them. Returns the rows folded.
    @discardableResult
    static func foldOutcomeDeltas(_ c: SQLiteConnection, oldest rows: Int? = nil) throws -> Int {
        guard let first = try c.scalarInt("SELECT MIN(id) FROM outcome_deltas"),
            let last = try c.scalarInt("SELECT MAX(id) FROM outcome_deltas")
        else { return 0 }
        let through = SQLValue.int(rows.map { min(last, first + Int64(max(1, $0)) - 1) } ?? last)
        // `WHERE … ORDER BY`, not `GROUP BY`: the upsert adds a key met twice to itself; and a WHERE clause keeps an
        // INSERT … SELECT's ON CONFLICT from parsing as a join's ON (SQLite's documented caveat).
        try c.run(
            """
            INSERT INTO outcome_counts (day, host, domain, campaign, outcome, n)
            SELECT day, host, domain, campaign, outcome, n FROM outcome_deltas WHERE id <= ?
            ORDER BY day, host, domain, campaign, outcome
            ON CONFLICT (day, host, domain, campaign, outcome) DO UPDATE SET n = n + excluded.n
            """, [through])
        return try c.run("DELETE FROM outcome_deltas WHERE id <= ?", [through])
    }

    /// When more than `limit` rows wait in `outcome_deltas` (``StateDBOptions/outcomeDeltaLimit``), folds the
    /// oldest tenth of the limit (at least 1,000): a commit's extra work stays bounded (a daemon's follow latency),
    /// and since a commit appends fewer rows than that, the rows waiting stay near the limit, which bounds what a
    /// report sums besides the folded counts. Ids only grow between folds, so the span of ids bounds the rows:
    /// two lookups, no count.
    static func foldOutcomeDeltas(_ c: SQLiteConnection, ifMoreThan limit: Int) throws {
        guard let first = try c.scalarInt("SELECT MIN(id) FROM outcome_deltas"),
            let last = try c.scalarInt("SELECT MAX(id) FROM outcome_deltas"), last - first + 1 > limit
        else { return }
        try foldOutcomeDeltas(c, oldest: max(1_000, limit / 10))
    }

    /// Adds every outcome count that waits in `outcome_deltas` to `outcome_counts`, in one transaction. Readers
    /// give the same answers before and after. Returns the rows folded.
    @discardableResult
    public func foldOutcomeCounts() throws(StateDBError) -> Int {
        try inTransaction { c in try Self.foldOutcomeDeltas(c) }
    }

    /// The outcome counts follow a host's new identity (``rehostIdentities(fingerprint:identity:)``): its count
    /// rows move to the new host name (added to what is there), and each bounce counted under an old dedup key
    /// is marked counted under the new one, so re-reading its line adds nothing. Deliveries and deferrals are
    /// known only by the hash of their identity: one already counted and read again after the rename counts
    /// again (docs/report.md).
    static func rehostOutcomeCounts(
        _ c: SQLiteConnection, from: String, to: String, old: String, new: String, range: [SQLValue]
    ) throws {
        // The counts waiting in outcome_deltas are moved with the rest.
        try foldOutcomeDeltas(c)
        var moved: [(Int64, Int64, Int64)] = []
        try c.prepare("SELECT dedup_key, log_time FROM dedup_keys WHERE dedup_key >= ? AND dedup_key < ?").query(
            range
        ) { row in
            let key = row.text(0)
            let renamed = to + key.unicodeScalars.dropFirst(from.unicodeScalars.count).map(String.init).joined()
            moved.append(
                (
                    Int64(bitPattern: OutcomeIdentityHash.fnv1a64(key)),
                    Int64(bitPattern: OutcomeIdentityHash.fnv1a64(renamed)), claimSeconds(ofMicros: row.int64(1))
                ))
        }
        for (oldID, newID, at) in moved {
            // A claim made before schema version 5 stays where it was; one made since is filed at the bounce's
            // log time, which its dedup key's row keeps.
            try c.run(
                "INSERT OR IGNORE INTO outcome_keys (id, day) SELECT ?, day FROM outcome_keys WHERE id = ?",
                [.int(newID), .int(oldID)])
            try c.run(
                "INSERT OR IGNORE INTO outcome_claims (at, id) SELECT at, ? FROM outcome_claims WHERE at = ? AND id = ?",
                [.int(newID), .int(at), .int(oldID)])
        }
        try c.run(
            """
            INSERT INTO outcome_counts (day, host, domain, campaign, outcome, n)
            SELECT day, ?, domain, campaign, outcome, n FROM outcome_counts WHERE host = ?
            ON CONFLICT (day, host, domain, campaign, outcome) DO UPDATE SET n = n + excluded.n
            """, [.text(new), .text(old)])
        try c.run("DELETE FROM outcome_counts WHERE host = ?", [.text(old)])
    }

    /// The counts matching `query`, one row per day, host, domain, campaign and outcome.
    public func outcomeCounts(_ query: OutcomeCountQuery = .init()) throws(StateDBError) -> [OutcomeCount] {
        var conditions = ["day >= ?", "day < ?"]
        var values: [SQLValue] = [
            .int(Int64(query.fromDay ?? Int(Int32.min))), .int(Int64(query.toDay ?? Int(Int32.max))),
        ]
        if let d = query.domain {
            conditions.append("domain = ?")
            values.append(.text(d.lowercased()))
        }
        if let campaign = query.campaign {
            conditions.append("campaign = ?")
            values.append(.text(campaign))
        }
        // The counts not folded yet (outcome_deltas) are added to the folded ones: the same answer either way.
        let columns = "day, host, domain, campaign, outcome, n"
        let filter = conditions.joined(separator: " AND ")
        let sql = """
            SELECT day, host, domain, campaign, outcome, SUM(n) FROM (
                SELECT \(columns) FROM outcome_counts WHERE \(filter)
                UNION ALL
                SELECT \(columns) FROM outcome_deltas WHERE \(filter))
            GROUP BY day, host, domain, campaign, outcome ORDER BY day, host, domain, campaign, outcome
            """
        return try withConnection { c in
            var out: [OutcomeCount] = []
            try c.prepare(sql).query(values + values) { row in
                guard let outcome = OutcomeClass(rawValue: row.text(4)) else { return }
                out.append(
                    OutcomeCount(
                        day: Int(row.int64(0)), host: row.text(1), domain: row.text(2), campaign: row.text(3),
                        outcome: outcome, count: Int(row.int64(5))))
            }
            return out
        }
    }

    /// Deletes counts, their keys and run-time facts of days before `cutoffDay`, in chunks, and remembers the
    /// cutoff so that those days are never counted again. Returns the rows deleted.
    func pruneCounts(beforeDay cutoffDay: Int, chunk: Int64) throws(StateDBError) -> Int {
        try inTransaction { c in
            let old = Int(
                try c.scalarText("SELECT value FROM kv WHERE key = ?", [.text(Self.countsPrunedBeforeKey)]) ?? "")
            if old == nil || old! < cutoffDay {
                try c.run(
                    "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) "
                        + "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    [.text(Self.countsPrunedBeforeKey), .text(String(cutoffDay)), .int(Timestamps.micros(clock()))])
            }
        }
        let day = SQLValue.int(Int64(cutoffDay))
        let limit = SQLValue.int(chunk)
        var total = 0
        for sql in [
            "DELETE FROM outcome_keys WHERE id IN (SELECT id FROM outcome_keys WHERE day < ? LIMIT ?)",
            // The counts not folded yet go by day too (unfolded: they would only be deleted after).
            "DELETE FROM outcome_deltas WHERE id IN (SELECT id FROM outcome_deltas WHERE day < ? LIMIT ?)",
            // WITHOUT ROWID has no rowid to limit by: one day per transaction (a day is a few thousand rows).
            "DELETE FROM outcome_counts WHERE day = (SELECT MIN(day) FROM outcome_counts WHERE day < ?) AND ? > 0",
        ] {
            while true {
                let n = try inTransaction { c in try c.run(sql, [day, limit]) }
                total += n
                if n == 0 { break }
            }
        }
        let cutoffSeconds = SQLValue.int(Int64(cutoffDay) * 86_400)
        while true {
            let n = try inTransaction { c in
                try c.run(
                    "DELETE FROM outcome_claims WHERE (at, id) IN (SELECT at, id FROM outcome_claims WHERE at < ? LIMIT ?)",
                    [cutoffSeconds, limit])
            }
            total += n
            if n == 0 { break }
        }
        let cutoffMicros = SQLValue.int(Int64(cutoffDay) * Self.microsPerDay)
        while true {
            let n = try inTransaction { c in
                try c.run(
                    "DELETE FROM runtime_facts WHERE id IN (SELECT id FROM runtime_facts WHERE at < ? LIMIT ?)",
                    [cutoffMicros, limit])
            }
            total += n
            if n == 0 { return total }
        }
    }
}

/// The 64-bit FNV-1a hash of an outcome's identity: stable across processes and releases (Swift's `Hasher` is
/// seeded per process), cheap, and with 64 bits two of a month's outcomes collide only with a probability of
/// about n² / 2⁶⁵ (3·10⁻⁵ for 30 million): then one outcome is not counted.
public enum OutcomeIdentityHash {
    /// `fnv1a64(tally.identity)`, without building the identity when its parts are ASCII (one String per delivery
    /// and several more for its parts, on the committing thread): the same bytes are fed to the hash, `%` and `|`
    /// escaped as ``OutcomeTally/identity`` escapes them. Any other part takes the identity itself, whose escaping
    /// works on Characters.
    public static func of(_ tally: OutcomeTally) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func byte(_ b: UInt8) {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        // False when the part is not ASCII: the caller falls back to the identity.
        func part(_ text: String) -> Bool {
            byte(UInt8(ascii: "|"))
            for b in text.utf8 {
                switch b {
                case UInt8(ascii: "%"): byte(b); byte(UInt8(ascii: "2")); byte(UInt8(ascii: "5"))
                case UInt8(ascii: "|"): byte(UInt8(ascii: "%")); byte(UInt8(ascii: "7")); byte(UInt8(ascii: "C"))
                case 0x80...: return false
                default: byte(b)
                }
            }
            return true
        }
        byte(UInt8(ascii: "t"))
        byte(UInt8(ascii: "1"))
        var ascii = part(tally.kind.rawValue) && part(tally.host) && part(tally.mta.rawValue) && part(tally.queueID)
        if ascii {
            byte(UInt8(ascii: "|"))
            byte(UInt8(ascii: "a"))
            byte(UInt8(ascii: ":"))
            for b in String(tally.time.seconds).utf8 { byte(b) }
            if tally.kind == .delivered { ascii = part(tally.recipient) }
        }
        return ascii ? h : fnv1a64(tally.identity)
    }

    public static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
