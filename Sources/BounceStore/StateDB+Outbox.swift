import Foundation

extension StateDB {
    /// Claims up to `limit` due pending rows (`next_attempt_at <= now`), oldest first.
    ///
    /// A claimed row is invisible to further claims for `claimTimeout`, so concurrent workers in one
    /// dispatcher never take the same row; if the process dies mid-request, the row becomes due again
    /// when the claim expires (or at once after ``releaseClaims()``). The claim is cleared by
    /// ``markSent(_:status:at:)``, ``scheduleRetry(_:at:error:status:)``, ``moveToDead(_:status:body:error:at:)``
    /// and ``releaseClaim(_:)``. `now` defaults to the injected clock.
    public func claimDue(limit: Int, now: Date? = nil, claimTimeout: TimeInterval = 300) throws(StateDBError)
        -> [OutboxRow]
    {
        let now = Timestamps.micros(now ?? clock())
        let until = now + Int64(claimTimeout * 1_000_000)
        return try inTransaction { c in
            var rows: [OutboxRow] = []
            try c.cached(
                """
                SELECT \(OutboxRow.columns) FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                ORDER BY next_attempt_at, id LIMIT ?
                """
            ).query([.int(now), .int(now), .int(Int64(limit))]) { rows.append(OutboxRow($0)) }
            let claim = try c.cached("UPDATE outbox SET claimed_until = ? WHERE id = ?")
            for row in rows { try claim.run([.int(until), .int(row.id)]) }
            return rows
        }
    }

    /// Forgets every claim. The dispatcher calls this right after it acquires the delivery lease:
    /// only the lease holder claims, so any claim found then belongs to a process that is gone.
    @discardableResult
    public func releaseClaims() throws(StateDBError) -> Int {
        try withConnection { c in try c.run("UPDATE outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL") }
    }

    /// Gives one claimed row back without counting an attempt (a pause answer, or claimed but not
    /// sent): it is due again at once.
    public func releaseClaim(_ id: Int64) throws(StateDBError) {
        try withConnection { c in
            try c.run("UPDATE outbox SET claimed_until = NULL WHERE id = ? AND state = 'pending'", [.int(id)])
        }
    }

    /// When a pending row is next due (its retry time, or the end of its claim), nil when none is
    /// pending. Held, sent and dead rows do not count.
    public func nextDue() throws(StateDBError) -> Date? {
        try withConnection { c in
            try c.scalarInt(
                "SELECT MIN(MAX(next_attempt_at, COALESCE(claimed_until, 0))) FROM outbox WHERE state = 'pending'"
            ).map(Timestamps.date)
        }
    }

    /// Marks a row delivered. Call only after the sink answered 2xx. `at` defaults to the clock.
    public func markSent(_ id: Int64, status: Int? = nil, at: Date? = nil) throws(StateDBError) {
        try markSent([id], status: status, at: at)
    }

    /// Marks several rows delivered in one transaction (one fsync), for a dispatcher that collects
    /// 2xx answers for a moment before recording them.
    public func markSent(_ ids: [Int64], status: Int? = nil, at: Date? = nil) throws(StateDBError) {
        let now = Timestamps.micros(at ?? clock())
        try inTransaction { c in
            let update = try c.cached(
                """
                UPDATE outbox SET state = 'sent', sent_at = ?, last_status = ?, claimed_until = NULL,
                    attempts = attempts + 1, last_error = NULL
                WHERE id = ? AND state = 'pending'
                """)
            for id in ids { try update.run([.int(now), .int(status.map(Int64.init)), .int(id)]) }
        }
    }

    /// Records a failed attempt and when to try again.
    public func scheduleRetry(_ id: Int64, at next: Date, error: String, status: Int? = nil) throws(StateDBError) {
        let now = Timestamps.micros(clock())
        try withConnection { c in
            try c.run(
                """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, last_status = ?,
                    claimed_until = NULL, first_failure_at = COALESCE(first_failure_at, ?)
                WHERE id = ? AND state = 'pending'
                """, [.int(Timestamps.micros(next)), .text(error), .int(status.map(Int64.init)), .int(now), .int(id)])
        }
    }

    /// Moves a row to the dead letters with the sink's answer (listmonk's status and message).
    public func moveToDead(_ id: Int64, status: Int?, body: String?, error: String, at: Date? = nil)
        throws(StateDBError)
    {
        let now = Timestamps.micros(at ?? clock())
        try withConnection { c in
            try c.run(
                """
                UPDATE outbox SET state = 'dead', dead_at = ?, attempts = attempts + 1, last_status = ?,
                    last_body = ?, last_error = ?, claimed_until = NULL, first_failure_at = COALESCE(first_failure_at, ?)
                WHERE id = ? AND state = 'pending'
                """, [.int(now), .int(status.map(Int64.init)), .text(body), .text(error), .int(now), .int(id)])
        }
    }

    /// Releases held rows by id: they become pending and due now. Returns how many changed.
    @discardableResult
    public func releaseHeld(ids: [Int64], sink: Batch.Sink = .outbox) throws(StateDBError) -> Int {
        try releaseHeld(where: "id = ?", values: ids.map { [.int($0)] }, sink: sink)
    }

    /// Releases every held row whose Sisimai reason or hold reason is `reason`.
    @discardableResult
    public func releaseHeld(reason: String, sink: Batch.Sink = .outbox) throws(StateDBError) -> Int {
        try releaseHeld(where: "(reason = ? OR hold_reason = ?)", values: [[.text(reason), .text(reason)]], sink: sink)
    }

    private func releaseHeld(where condition: String, values: [[SQLValue]], sink: Batch.Sink) throws(StateDBError)
        -> Int
    {
        let now = Timestamps.micros(clock())
        return try inTransaction { c in
            var ids: [Int64] = []
            let select = try c.cached("SELECT id FROM outbox WHERE state = 'held' AND \(condition)")
            for v in values { try select.query(v) { ids.append($0.int64(0)) } }
            switch sink {
            case .outbox:
                let update = try c.cached(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = ?, hold_reason = NULL WHERE id = ?")
                for id in ids { try update.run([.int(now), .int(id)]) }
            case .localStore:
                // Released into the local store: the row becomes a `bounces` row and is done.
                for id in ids {
                    var body = ""
                    var key = ""
                    var logTime: Int64 = 0
                    try c.cached("SELECT body, dedup_key, created_at FROM outbox WHERE id = ?").query([.int(id)]) {
                        body = $0.text(0)
                        key = $0.text(1)
                        logTime = $0.int64(2)
                    }
                    let b = try WebhookBody(json: body)
                    try Self.insertBounce(
                        c, email: b.email, subscriberUUID: b.subscriberUUID, campaignUUID: b.campaignUUID, type: b.type,
                        source: b.source, meta: b.meta,
                        createdAt: b.createdAt ?? Timestamps.formatRFC3339(micros: logTime),
                        createdMicros: logTime, dedupKey: key)
                    try c.run(
                        "UPDATE outbox SET state = 'sent', sent_at = ?, hold_reason = NULL WHERE id = ?",
                        [.int(now), .int(id)])
                }
            }
            return ids.count
        }
    }

    /// Sends dead letters again: they become pending with zero attempts, due now.
    @discardableResult
    public func retryDead(ids: [Int64]) throws(StateDBError) -> Int {
        let now = Timestamps.micros(clock())
        return try inTransaction { c in
            var n = 0
            for id in ids {
                n += try c.run(
                    """
                    UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, dead_at = NULL,
                        first_failure_at = NULL
                    WHERE id = ? AND state = 'dead'
                    """, [.int(now), .int(id)])
            }
            return n
        }
    }

    /// Sends every dead letter again.
    @discardableResult
    public func retryAllDead() throws(StateDBError) -> Int {
        let now = Timestamps.micros(clock())
        return try withConnection { c in
            try c.run(
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, dead_at = NULL, "
                    + "first_failure_at = NULL WHERE state = 'dead'",
                [.int(now)])
        }
    }

    /// Deletes dead letters that died before `before` (all of them when nil). Their dedup keys stay,
    /// so the same bounce read again is still recognised.
    @discardableResult
    public func purgeDead(before: Date? = nil) throws(StateDBError) -> Int {
        let cutoff = before.map(Timestamps.micros) ?? Int64.max
        return try withConnection { c in
            try c.run("DELETE FROM outbox WHERE state = 'dead' AND dead_at < ?", [.int(cutoff)])
        }
    }

    /// Counts by state and the age of the oldest pending row.
    public func status() throws(StateDBError) -> OutboxStatus {
        let now = Timestamps.micros(clock())
        return try withConnection { c in
            var counts: [String: Int] = [:]
            try c.cached("SELECT state, COUNT(*) FROM outbox GROUP BY state").query {
                counts[$0.text(0)] = Int($0.int64(1))
            }
            let oldest = try c.scalarInt("SELECT MIN(enqueued_at) FROM outbox WHERE state = 'pending'")
            let stored = try c.scalarInt("SELECT COUNT(*) FROM bounces") ?? 0
            return OutboxStatus(
                pending: counts["pending"] ?? 0, held: counts["held"] ?? 0, sent: counts["sent"] ?? 0,
                dead: counts["dead"] ?? 0, stored: Int(stored),
                oldestPendingAge: oldest.map { Double(max(0, now - $0)) / 1_000_000 })
        }
    }

    /// Rows matching `query`, by id.
    public func list(_ query: OutboxQuery) throws(StateDBError) -> [OutboxRow] {
        var conditions = ["id > ?"]
        var values: [SQLValue] = [.int(query.afterID)]
        if !query.states.isEmpty {
            let states = OutboxState.allCases.filter { query.states.contains($0) }
            conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
            values += states.map { .text($0.rawValue) }
        }
        if let reason = query.reason {
            conditions.append("(reason = ? OR hold_reason = ?)")
            values += [.text(reason), .text(reason)]
        }
        if let email = query.email {
            conditions.append("email = ?")
            values.append(.text(email.lowercased()))
        }
        if let since = query.since {
            conditions.append("created_at >= ?")
            values.append(.int(Timestamps.micros(since)))
        }
        values.append(.int(Int64(query.limit)))
        let sql =
            "SELECT \(OutboxRow.columns) FROM outbox WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?"
        return try withConnection { c in
            var rows: [OutboxRow] = []
            try c.prepare(sql).query(values) { rows.append(OutboxRow($0)) }
            return rows
        }
    }

    /// One row by id.
    public func row(_ id: Int64) throws(StateDBError) -> OutboxRow? {
        try withConnection { c in
            var row: OutboxRow?
            try c.cached("SELECT \(OutboxRow.columns) FROM outbox WHERE id = ?").query([.int(id)]) {
                row = OutboxRow($0)
            }
            return row
        }
    }
}
