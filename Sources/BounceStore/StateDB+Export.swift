import Foundation

/// One row of the local `bounces` table.
public struct StoredBounce: Sendable, Hashable {
    public var id: Int64
    public var email: String
    /// "" when unknown.
    public var subscriberUUID: String
    /// "" when unknown.
    public var campaignUUID: String
    public var type: String
    public var source: String
    /// The `meta` object as JSON text.
    public var meta: String
    /// RFC 3339, UTC, as the log had it.
    public var createdAt: String

    static let columns = "id, email, subscriber_uuid, campaign_uuid, type, source, meta, created_at"

    init(_ s: SQLiteStatement) {
        id = s.int64(0)
        email = s.text(1)
        subscriberUUID = s.text(2)
        campaignUUID = s.text(3)
        type = s.text(4)
        source = s.text(5)
        meta = s.text(6)
        createdAt = s.text(7)
    }

    /// The result object of listmonk's `GET /api/bounces`, in listmonk's field order, plus
    /// `campaign_uuid`. `subscriber_id` and `subscriber_status` are listmonk's own facts and are left
    /// out; `campaign` is `null` because there is no listmonk campaign id here.
    public var listmonkJSON: String {
        "{\"id\":\(id),\"type\":\(JSONText.string(type)),\"source\":\(JSONText.string(source)),\"meta\":\(meta),"
            + "\"created_at\":\(JSONText.string(createdAt)),\"email\":\(JSONText.string(email)),"
            + "\"subscriber_uuid\":\(JSONText.string(subscriberUUID)),\"campaign_uuid\":\(JSONText.string(campaignUUID)),"
            + "\"campaign\":null}"
    }

    /// The body of a `POST /webhooks/bounce` for this bounce (a replay); empty UUIDs are left out.
    public var webhookJSON: String {
        var fields = ["\"email\":\(JSONText.string(email))"]
        if !subscriberUUID.isEmpty { fields.append("\"subscriber_uuid\":\(JSONText.string(subscriberUUID))") }
        if !campaignUUID.isEmpty { fields.append("\"campaign_uuid\":\(JSONText.string(campaignUUID))") }
        fields += [
            "\"type\":\(JSONText.string(type))", "\"source\":\(JSONText.string(source))", "\"meta\":\(meta)",
            "\"created_at\":\(JSONText.string(createdAt))",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The CSV header: the JSON result's fields except `campaign`, which is always null.
    public static let csvHeader = "id,type,source,meta,created_at,email,subscriber_uuid,campaign_uuid"

    public var csvRow: String {
        [String(id), type, source, meta, createdAt, email, subscriberUUID, campaignUUID].map(JSONText.csvField)
            .joined(separator: ",")
    }
}

/// The output format of ``StateDB/exportBounces(format:since:write:)``.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// listmonk's `GET /api/bounces` response: `{"data":{"results":[...],"search":"","query":"","total":N,...}}`.
    case json
    /// A header row, then one row per bounce (RFC 4180 quoting).
    case csv
}

extension StateDB {
    /// Writes the local `bounces` table (log time at or after `since`, oldest first) in `format`,
    /// in pieces through `write`, so a large store never sits in memory. Returns the row count.
    ///
    /// JSON follows listmonk's "all results" answer: `per_page` 0 and `page` 1, or for no rows
    /// listmonk's empty page (`total`, `per_page` and `page` all 0).
    @discardableResult
    public func exportBounces(format: ExportFormat, since: Date? = nil, write: (String) throws -> Void)
        throws(StateDBError) -> Int
    {
        let cutoff = since.map(Timestamps.micros) ?? Int64.min
        // A failing writer (a closed pipe) is the output's problem, not the database's: say so.
        var writeError: (any Error)?
        func guarded(_ text: String) throws {
            do { try write(text) } catch {
                writeError = error
                throw error
            }
        }
        do {
            return try exportRows(format: format, cutoff: cutoff, write: guarded)
        } catch {
            if let writeError {
                throw StateDBError(
                    kind: .other, path: path, message: "writing the export of \(path) failed: \(writeError)")
            }
            throw error
        }
    }

    private func exportRows(format: ExportFormat, cutoff: Int64, write: (String) throws -> Void) throws(StateDBError)
        -> Int
    {
        try withConnection { c in
            // One read transaction: the rows and the total come from the same snapshot.
            try c.transaction(.deferred) {
                var count = 0
                switch format {
                case .json: try write("{\"data\":{\"results\":[")
                case .csv: try write(StoredBounce.csvHeader + "\r\n")
                }
                try c.prepare(
                    "SELECT \(StoredBounce.columns) FROM bounces WHERE created_us >= ? ORDER BY created_us, id"
                )
                .query([.int(cutoff)]) { row in
                    let bounce = StoredBounce(row)
                    switch format {
                    case .json: try write((count == 0 ? "" : ",") + bounce.listmonkJSON)
                    case .csv: try write(bounce.csvRow + "\r\n")
                    }
                    count += 1
                }
                if format == .json {
                    try write(
                        "],\"search\":\"\",\"query\":\"\",\"total\":\(count),\"per_page\":0,\"page\":\(count == 0 ? 0 : 1)}}\n"
                    )
                }
                return count
            }
        }
    }

    /// Stored bounces with a log time at or after `since`, oldest first (the selection for
    /// `replay --to webhook`).
    public func storedBounces(since: Date? = nil, limit: Int = Int.max) throws(StateDBError) -> [StoredBounce] {
        let cutoff = since.map(Timestamps.micros) ?? Int64.min
        return try withConnection { c in
            var rows: [StoredBounce] = []
            try c.cached(
                "SELECT \(StoredBounce.columns) FROM bounces WHERE created_us >= ? ORDER BY created_us, id LIMIT ?"
            )
            .query([.int(cutoff), .int(Int64(min(limit, Int(Int64.max))))]) { rows.append(StoredBounce($0)) }
            return rows
        }
    }

    /// Enqueues stored bounces (log time at or after `since`) for the webhook as `replay` rows: a
    /// deliberate resend with its own identity (`replay:<bounce id>:<now>:<run>`), so the dedup key of the
    /// original does not block it and a second replay is a second send. Returns the number enqueued.
    @discardableResult
    public func enqueueReplay(since: Date? = nil) throws(StateDBError) -> Int {
        let now = Timestamps.micros(clock())
        let cutoff = since.map(Timestamps.micros) ?? Int64.min
        // Two replays in the same microsecond (or under a fixed test clock) must still differ.
        let run = UUID().uuidString.prefix(8)
        return try inTransaction { c in
            var bounces: [(StoredBounce, Int64)] = []
            try c.prepare(
                "SELECT \(StoredBounce.columns), created_us FROM bounces WHERE created_us >= ? ORDER BY created_us, id"
            )
            .query([.int(cutoff)]) { bounces.append((StoredBounce($0), $0.int64(8))) }
            let insert = try c.cached(
                """
                INSERT INTO outbox (dedup_key, state, kind, body, email, reason, type, fault, action, mta_host,
                    remote_domain, created_at, enqueued_at, attempts, next_attempt_at)
                VALUES (?, 'pending', 'replay', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                """)
            for (b, createdMicros) in bounces {
                let meta = (try? JSONSerialization.jsonObject(with: Data(b.meta.utf8))) as? [String: Any] ?? [:]
                try insert.run([
                    .text("replay:\(b.id):\(now):\(run)"), .text(b.webhookJSON), .text(b.email),
                    .text(meta["reason"] as? String ?? ""), .text(b.type), .text(meta["fault"] as? String ?? ""),
                    .text("forward"), .text(meta["host"] as? String ?? ""), .text(Self.domain(of: b.email)),
                    .int(createdMicros), .int(now), .int(now),
                ])
            }
            return bounces.count
        }
    }
}
