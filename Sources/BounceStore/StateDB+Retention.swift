import Foundation

/// How long finished state is kept. The defaults keep the database to roughly a month of delivered
/// rows plus a little over a year of bare dedup keys.
public struct RetentionPolicy: Sendable, Hashable {
    /// Sent outbox rows are deleted this long after they were sent.
    public var sentAge: TimeInterval
    /// Dedup keys are deleted this long after their event was enqueued, once no outbox or bounces row
    /// uses them. Keep this longer than any log a backfill may re-read, or a re-read bounce whose key
    /// is gone is enqueued again (held, if older than the backfill's hold age).
    public var dedupKeyAge: TimeInterval
    /// Tracker state not touched for this long is dropped (a message the MTA forgot; longer than
    /// the queue lifetime, Postfix's default is 5 days).
    public var trackerAge: TimeInterval
    /// Outcome counts, their keys and run-time facts of days older than this are deleted (`outbox.retention`).
    public var countsAge: TimeInterval
    /// Sent-index rows (by their delivery's log time) and bounce joins older than this are deleted
    /// (`outbox.retention`): how late a report mail may arrive and still be recognised as ours.
    public var sentIndexAge: TimeInterval
    /// Rows deleted per transaction, so the write lock is never held for long.
    public var chunkSize: Int
    /// Free pages handed back to the filesystem per pass (`PRAGMA incremental_vacuum`); 0 for all.
    public var vacuumPages: Int

    public init(
        sentAge: TimeInterval = 30 * 86_400, dedupKeyAge: TimeInterval = 400 * 86_400,
        trackerAge: TimeInterval = 7 * 86_400, chunkSize: Int = 5_000, vacuumPages: Int = 0,
        countsAge: TimeInterval = 30 * 86_400, sentIndexAge: TimeInterval = 30 * 86_400
    ) {
        self.sentIndexAge = sentIndexAge
        self.countsAge = countsAge
        self.sentAge = sentAge
        self.dedupKeyAge = dedupKeyAge
        self.trackerAge = trackerAge
        self.chunkSize = chunkSize
        self.vacuumPages = vacuumPages
    }
}

/// What one retention pass removed.
public struct PruneResult: Sendable, Hashable {
    public var sentRows = 0
    public var dedupKeys = 0
    public var trackerRows = 0
    /// Outcome counts, outcome keys and run-time facts.
    public var countRows = 0
    /// Sent-index rows and bounce joins.
    public var sentIndexRows = 0
    /// Pages returned to the filesystem.
    public var pagesFreed = 0
}

/// The database's size on disk.
public struct StateDBSize: Sendable, Hashable {
    public var pageSize: Int
    public var pageCount: Int
    /// Unused pages inside the file (reusable, or returned by incremental vacuum).
    public var freePages: Int
    public var bytes: Int { pageSize * pageCount }
}

extension StateDB {
    /// Removes finished state older than the policy's ages, in chunks, then returns free pages to the
    /// filesystem and truncates the WAL. Pending, held and dead rows are never pruned here (dead
    /// letters go only by ``purgeDead(before:)``, at the operator's word).
    @discardableResult
    public func prune(_ policy: RetentionPolicy) throws(StateDBError) -> PruneResult {
        let now = Timestamps.micros(clock())
        let sentCutoff = now - Int64(policy.sentAge * 1_000_000)
        let keyCutoff = now - Int64(policy.dedupKeyAge * 1_000_000)
        let trackerCutoff = now - Int64(policy.trackerAge * 1_000_000)
        let chunk = SQLValue.int(Int64(max(1, policy.chunkSize)))
        var result = PruneResult()
        result.sentRows = try deleteInChunks(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'sent' AND sent_at < ? LIMIT ?)",
            [.int(sentCutoff), chunk])
        result.dedupKeys = try deleteInChunks(
            """
            DELETE FROM dedup_keys WHERE dedup_key IN (
                SELECT k.dedup_key FROM dedup_keys k
                WHERE k.enqueued_at < ?
                  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = k.dedup_key)
                  AND NOT EXISTS (SELECT 1 FROM bounces b WHERE b.dedup_key = k.dedup_key)
                LIMIT ?)
            """, [.int(keyCutoff), chunk])
        result.trackerRows = try deleteInChunks(
            "DELETE FROM tracker_state WHERE key IN (SELECT key FROM tracker_state WHERE updated_at < ? LIMIT ?)",
            [.int(trackerCutoff), chunk])
        result.countRows = try pruneCounts(
            beforeDay: Self.day(ofMicros: now - Int64(policy.countsAge * 1_000_000)),
            chunk: Int64(max(1, policy.chunkSize)))
        let joinCutoff = now - Int64(policy.sentIndexAge * 1_000_000)
        result.sentIndexRows = try deleteInChunks(
            "DELETE FROM sent_index WHERE (host, queue_id, recipient) IN "
                + "(SELECT host, queue_id, recipient FROM sent_index WHERE at < ? LIMIT ?)",
            [.int(joinCutoff), chunk])
        result.sentIndexRows += try deleteInChunks(
            "DELETE FROM sent_log WHERE id IN (SELECT id FROM sent_log WHERE at < ? LIMIT ?)",
            [.int(joinCutoff), chunk])
        result.sentIndexRows += try deleteInChunks(
            "DELETE FROM bounce_joins WHERE join_key IN (SELECT join_key FROM bounce_joins WHERE created_at < ? LIMIT ?)",
            [.int(joinCutoff), chunk])
        result.pagesFreed = try vacuum(pages: policy.vacuumPages)
        return result
    }

    private func deleteInChunks(_ sql: String, _ values: [SQLValue]) throws(StateDBError) -> Int {
        var total = 0
        while true {
            let n = try inTransaction { c in try c.run(sql, values) }
            total += n
            if n == 0 { return total }
        }
    }

    /// Returns up to `pages` free pages (all when 0) to the filesystem and truncates the WAL.
    @discardableResult
    public func vacuum(pages: Int = 0) throws(StateDBError) -> Int {
        try withConnection { c in
            let before = try c.scalarInt("PRAGMA freelist_count") ?? 0
            // incremental_vacuum returns a row per page; stepping it to the end does the work.
            try c.prepare("PRAGMA incremental_vacuum(\(max(0, pages)))").query { _ in }
            let after = try c.scalarInt("PRAGMA freelist_count") ?? 0
            try c.prepare("PRAGMA wal_checkpoint(TRUNCATE)").query { _ in }
            return Int(before - after)
        }
    }

    /// Page size, page count and free pages of the main file.
    public func size() throws(StateDBError) -> StateDBSize {
        try withConnection { c in
            StateDBSize(
                pageSize: Int(try c.scalarInt("PRAGMA page_size") ?? 0),
                pageCount: Int(try c.scalarInt("PRAGMA page_count") ?? 0),
                freePages: Int(try c.scalarInt("PRAGMA freelist_count") ?? 0))
        }
    }
}
