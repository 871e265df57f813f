import BounceCore
import Foundation

extension StateDB {
    /// Commits positions, tracker changes, new events, their outcome counts and run-time facts in one transaction:
    /// all or nothing.
    ///
    /// Each event is first claimed in `dedup_keys` (`INSERT OR IGNORE`); a key seen before, in this
    /// or an earlier batch, by this or another process, adds no row and counts as a duplicate; what it knows
    /// that the stored bounce lacks (listmonk UUIDs, Message-ID, sender) is merged into it while it has not
    /// been delivered (``enrich(_:with:now:encoder:into:)``).
    /// New events go to the outbox as `pending`, or `held` when their action is `hold` or the batch
    /// holds them; with ``Batch/Sink/localStore`` forwarded events go to the `bounces` table instead.
    @discardableResult
    public func commit(_ batch: Batch) throws(StateDBError) -> BatchResult {
        let now = Timestamps.micros(clock())
        let encoder = options.bodyEncoder
        let deltaLimit = options.outcomeDeltaLimit
        return try inTransaction { c in
            let result = try Self.apply(batch, to: c, now: now, encoder: encoder)
            try Self.foldOutcomeDeltas(c, ifMoreThan: deltaLimit)
            return result
        }
    }

    /// Commits several batches, in order, in one transaction: all or nothing. Each batch does exactly what
    /// ``commit(_:)`` does with it (later batches see what earlier ones wrote), and its result is its own; only
    /// the transaction is shared, so that the pages the batches touch in common are written to the WAL once
    /// (a backfill's committing stage groups the batches that wait for it). Each batch's position is still
    /// committed with its events.
    @discardableResult
    public func commit(group batches: [Batch]) throws(StateDBError) -> [BatchResult] {
        if batches.isEmpty { return [] }
        let now = Timestamps.micros(clock())
        let encoder = options.bodyEncoder
        let deltaLimit = options.outcomeDeltaLimit
        return try inTransaction { c in
            var results: [BatchResult] = []
            results.reserveCapacity(batches.count)
            for batch in batches { results.append(try Self.apply(batch, to: c, now: now, encoder: encoder)) }
            try Self.foldOutcomeDeltas(c, ifMoreThan: deltaLimit)
            return results
        }
    }

    /// One batch's writes, inside the caller's transaction.
    static func apply(
        _ batch: Batch, to c: SQLiteConnection, now: Int64, encoder: (BounceEvent) throws -> [UInt8]
    ) throws -> BatchResult {
        let prepared = batch.events.map { PreparedEvent($0, batch: batch, now: now) }
        for p in batch.positions {
            try c.run(
                """
                INSERT INTO source_positions
                    (source_id, fingerprint, fingerprint_len, device, inode, offset, journal_cursor,
                     journal_realtime, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(source_id) DO UPDATE SET
                    fingerprint = excluded.fingerprint, fingerprint_len = excluded.fingerprint_len,
                    device = excluded.device, inode = excluded.inode,
                    offset = excluded.offset, journal_cursor = excluded.journal_cursor,
                    journal_realtime = excluded.journal_realtime, updated_at = excluded.updated_at
                """,
                [
                    .text(p.sourceID), .blob(p.fingerprint), .int(p.fingerprintLength.map(Int64.init)),
                    .int(p.device.map { Int64(bitPattern: $0) }), .int(p.inode.map { Int64(bitPattern: $0) }),
                    .int(p.offset), .text(p.journalCursor),
                    .int(p.journalRealtime), .int(now),
                ])
        }
        if !batch.trackerUpserts.isEmpty {
            let upsert = try c.cached(
                "INSERT INTO tracker_state (key, value, updated_at) VALUES (?, ?, ?) "
                    + "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
            for u in batch.trackerUpserts { try upsert.run([.text(u.key), .blob(u.bytes), .int(now)]) }
        }
        if !batch.trackerDeletes.isEmpty {
            let delete = try c.cached("DELETE FROM tracker_state WHERE key = ?")
            for key in batch.trackerDeletes { try delete.run([.text(key)]) }
        }
        var result = BatchResult()
        var stored: [PreparedEvent] = []
        for var p in prepared {
            let claimed = try c.run(
                "INSERT OR IGNORE INTO dedup_keys (dedup_key, log_time, enqueued_at) VALUES (?, ?, ?)",
                [.text(p.event.dedupKey), .int(p.logTime), .int(now)])
            guard claimed == 1 else {
                result.duplicates += 1
                try Self.enrich(c, with: p.event, now: now, encoder: encoder, into: &result)
                continue
            }
            // One bounce, one event: the log line and the report mail of one bounce join here.
            let mail = batch.mailJoins[p.event.dedupKey]
            if try Self.joinStored(c, p, mail: mail, sink: batch.sink, now: now, encoder: encoder, into: &result) {
                result.joined += 1
                continue
            }
            if let mail { try Self.checkSent(c, &p, mail: mail, into: &result) }
            try Self.registerJoins(c, p, mail: mail, now: now)
            stored.append(p)
            result.inserted += 1
            // Encoding happens only for new events (a re-read of known lines costs no JSON), inside
            // the transaction: an encoding failure rolls the whole batch back like any other.
            if p.holdReason == nil, batch.sink == .localStore {
                try Self.insertBounce(
                    c, email: p.event.email, subscriberUUID: p.event.subscriberUUID,
                    campaignUUID: p.event.campaignUUID, type: p.event.type.rawValue, source: p.event.source,
                    meta: try PreparedEvent.metaJSON(p.event), createdAt: p.event.createdAt,
                    createdMicros: p.logTime,
                    dedupKey: p.event.dedupKey)
                result.storedLocally += 1
                continue
            }
            if p.holdReason != nil { result.held += 1 }
            let body = String(decoding: try encoder(p.event), as: UTF8.self)
            try Self.insertOutbox(c, p, body: body, kind: "event", now: now)
        }
        let tallies = batch.preparedTallies ?? PreparedTallies(batch.tallies)
        let (counted, claims) = try Self.countOutcomes(c, events: stored, tallies: batch.tallies, prepared: tallies)
        result.counted = counted
        try Self.recordSent(
            c, batch.tallies, prepared: tallies, claims: claims, sink: batch.sink, now: now, encoder: encoder,
            into: &result)
        // Counted here, in the batch's transaction, whichever reader came second (ingest-mail or run).
        try Self.addCounters(
            c,
            [
                "mail.joined": result.joined, "mail.held_unmatched": result.heldUnmatched,
                "mail.unmatched_released": result.unmatchedReleased,
            ].filter { $0.value > 0 }, now: now)
        try Self.insertFacts(c, batch.facts)
        return result
    }

    static func insertOutbox(_ c: SQLiteConnection, _ p: PreparedEvent, body: String, kind: String, now: Int64) throws {
        try c.run(
            """
            INSERT INTO outbox (dedup_key, state, kind, body, email, reason, type, fault, action, mta_host,
                remote_domain, created_at, enqueued_at, attempts, next_attempt_at, hold_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """,
            [
                .text(p.event.dedupKey), .text(p.holdReason == nil ? "pending" : "held"), .text(kind), .text(body),
                .text(p.event.email), .text(p.event.meta.reason), .text(p.event.type.rawValue),
                .text(p.event.meta.fault.rawValue), .text(p.event.meta.action.rawValue), .text(p.event.meta.host),
                .text(domain(of: p.event.email)), .int(p.logTime), .int(now), .int(now), .text(p.holdReason),
            ])
    }

    static func insertBounce(
        _ c: SQLiteConnection, email: String, subscriberUUID: String?, campaignUUID: String?, type: String,
        source: String, meta: String, createdAt: String, createdMicros: Int64, dedupKey: String?
    ) throws {
        try c.run(
            """
            INSERT INTO bounces (email, subscriber_uuid, campaign_uuid, type, source, meta, created_at, created_us, dedup_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(email), .text(subscriberUUID ?? ""), .text(campaignUUID ?? ""), .text(type), .text(source),
                .text(meta), .text(createdAt), .int(createdMicros), .text(dedupKey),
            ])
    }

    static func domain(of email: String) -> String {
        AddressDomain.of(email) ?? ""
    }
}

/// An event with the values its SQL needs that cost nothing to compute.
struct PreparedEvent {
    var event: BounceEvent
    let logTime: Int64
    var holdReason: String?

    init(_ event: BounceEvent, batch: Batch, now: Int64) {
        self.event = event
        // An unparsable log time (a bug upstream) must not lose the event; the enqueue time stands in.
        self.logTime = Timestamps.parseRFC3339(event.createdAt) ?? now
        if let forced = batch.holds[event.dedupKey] {
            self.holdReason = forced
        } else {
            self.holdReason = EventBuilder.outboxHoldCode(for: event)
        }
    }

    /// `meta` as compact JSON with sorted keys, for the local `bounces` table.
    static func metaJSON(_ event: BounceEvent) throws -> String { try StateDB.metaJSON(event.meta) }
}
