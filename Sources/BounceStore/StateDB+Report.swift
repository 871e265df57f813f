import Foundation

/// What the report reads besides the outcome counts: bounces by reason and day, the latest remote text per domain,
/// the sender-fault holds, and delivery's state. Bounces come from the outbox (`kind = 'event'`) and the local
/// `bounces` table: a bounce is in one of the two, never both.
public struct ReportSelection: Sendable, Hashable {
    /// Log time, inclusive; nil: from the start.
    public var since: Date?
    /// Log time, exclusive; nil: to the end.
    public var until: Date?
    /// One recipient domain (lower-cased), or all.
    public var domain: String?
    /// One listmonk campaign UUID, or all.
    public var campaign: String?

    public init(since: Date? = nil, until: Date? = nil, domain: String? = nil, campaign: String? = nil) {
        self.since = since
        self.until = until
        self.domain = domain?.lowercased()
        self.campaign = campaign
    }
}

/// Bounces of one reason and type on one day.
public struct ReasonDayCount: Sendable, Hashable {
    public var day: Int
    public var reason: String
    public var type: String
    public var count: Int

    public init(day: Int, reason: String, type: String, count: Int) {
        self.day = day
        self.reason = reason
        self.type = type
        self.count = count
    }
}

/// A domain's most recent remote text (the SMTP reply) and the reason it was classified as.
public struct RemoteText: Sendable, Hashable {
    public var domain: String
    public var reason: String
    public var text: String
    /// Log time.
    public var at: Date

    public init(domain: String, reason: String, text: String, at: Date) {
        self.domain = domain
        self.reason = reason
        self.text = text
        self.at = at
    }
}

/// The sender-fault holds (our IP or content refused) of one recipient domain.
public struct SenderFaultHolds: Sendable, Hashable {
    public var domain: String
    public var count: Int
    /// Reason → count.
    public var reasons: [String: Int]
    /// The latest hold's remote text.
    public var latestText: String
    public var latestAt: Date

    public init(domain: String, count: Int, reasons: [String: Int], latestText: String, latestAt: Date) {
        self.domain = domain
        self.count = count
        self.reasons = reasons
        self.latestText = latestText
        self.latestAt = latestAt
    }
}

/// One dead letter, for the report's delivery section.
public struct DeadLetterSummary: Sendable, Hashable {
    public var email: String
    public var reason: String
    public var status: Int?
    public var answer: String
    public var deadAt: Date?

    public init(email: String, reason: String, status: Int?, answer: String, deadAt: Date?) {
        self.email = email
        self.reason = reason
        self.status = status
        self.answer = answer
        self.deadAt = deadAt
    }
}

extension StateDB {
    /// The WHERE clause and values selecting bounces: `time` and `domain` are the column expressions of the table,
    /// `campaign` its campaign expression.
    private static func where_(
        _ s: ReportSelection, time: String, domain: String, campaign: String, extra: [String] = []
    ) -> (String, [SQLValue]) {
        var conditions = extra
        var values: [SQLValue] = []
        if let since = s.since {
            conditions.append("\(time) >= ?")
            values.append(.int(Timestamps.micros(since)))
        }
        if let until = s.until {
            conditions.append("\(time) < ?")
            values.append(.int(Timestamps.micros(until)))
        }
        if let d = s.domain {
            conditions.append("\(domain) = ?")
            values.append(.text(d))
        }
        if let c = s.campaign {
            conditions.append("\(campaign) = ?")
            values.append(.text(c))
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), values)
    }

    private static let bouncesDomain = "lower(substr(email, instr(email, '@') + 1))"

    /// Bounces per UTC day, reason and type (outbox events and the local store).
    public func reasonsByDay(_ s: ReportSelection) throws(StateDBError) -> [ReasonDayCount] {
        let (w1, v1) = Self.where_(
            s, time: "created_at", domain: "remote_domain",
            campaign: "coalesce(json_extract(body, '$.campaign_uuid'), '')", extra: ["kind = 'event'"])
        let (w2, v2) = Self.where_(s, time: "created_us", domain: Self.bouncesDomain, campaign: "campaign_uuid")
        let day = Self.microsPerDay
        let sql = """
            SELECT day, reason, type, SUM(n) FROM (
                SELECT created_at / \(day) AS day, reason, type, COUNT(*) AS n FROM outbox WHERE \(w1)
                GROUP BY day, reason, type
                UNION ALL
                SELECT created_us / \(day) AS day, coalesce(json_extract(meta, '$.reason'), 'undefined') AS reason,
                    type, COUNT(*) AS n FROM bounces WHERE \(w2) GROUP BY day, reason, type)
            GROUP BY day, reason, type ORDER BY day, reason, type
            """
        return try withConnection { c in
            var out: [ReasonDayCount] = []
            try c.prepare(sql).query(v1 + v2) { row in
                out.append(
                    ReasonDayCount(
                        day: Int(row.int64(0)), reason: row.text(1), type: row.text(2), count: Int(row.int64(3))))
            }
            return out
        }
    }

    /// The most recent bounce with a remote text, per recipient domain.
    public func latestRemoteTexts(_ s: ReportSelection) throws(StateDBError) -> [RemoteText] {
        let (w1, v1) = Self.where_(
            s, time: "created_at", domain: "remote_domain",
            campaign: "coalesce(json_extract(body, '$.campaign_uuid'), '')", extra: ["kind = 'event'"])
        let (w2, v2) = Self.where_(s, time: "created_us", domain: Self.bouncesDomain, campaign: "campaign_uuid")
        // SQLite takes the other columns from the row holding MAX() (documented for bare columns with max()).
        let sql = """
            SELECT domain, reason, text, MAX(at) FROM (
                SELECT remote_domain AS domain, reason, json_extract(body, '$.meta.diagnostic') AS text,
                    created_at AS at FROM outbox WHERE \(w1)
                UNION ALL
                SELECT \(Self.bouncesDomain) AS domain, json_extract(meta, '$.reason') AS reason,
                    json_extract(meta, '$.diagnostic') AS text, created_us AS at FROM bounces WHERE \(w2))
            WHERE text IS NOT NULL AND text != '' GROUP BY domain ORDER BY domain
            """
        return try withConnection { c in
            var out: [RemoteText] = []
            try c.prepare(sql).query(v1 + v2) { row in
                out.append(
                    RemoteText(
                        domain: row.text(0), reason: row.text(1), text: row.text(2), at: Timestamps.date(row.int64(3))))
            }
            return out
        }
    }

    /// The sender-fault holds per recipient domain, most first, with the latest one's remote text.
    public func senderFaultHolds(_ s: ReportSelection) throws(StateDBError) -> [SenderFaultHolds] {
        let (w, v) = Self.where_(
            s, time: "created_at", domain: "remote_domain",
            campaign: "coalesce(json_extract(body, '$.campaign_uuid'), '')",
            extra: ["kind = 'event'", "fault = 'sender'", "action = 'hold'"])
        return try withConnection { c in
            var byDomain: [String: SenderFaultHolds] = [:]
            try c.prepare(
                """
                SELECT remote_domain, reason, COUNT(*), MAX(created_at) FROM outbox WHERE \(w)
                GROUP BY remote_domain, reason
                """
            ).query(v) { row in
                let d = row.text(0)
                let at = Timestamps.date(row.int64(3))
                var h = byDomain[d] ?? SenderFaultHolds(domain: d, count: 0, reasons: [:], latestText: "", latestAt: at)
                h.count += Int(row.int64(2))
                h.reasons[row.text(1)] = Int(row.int64(2))
                if at >= h.latestAt { h.latestAt = at }
                byDomain[d] = h
            }
            let latest = try c.prepare(
                """
                SELECT coalesce(json_extract(body, '$.meta.diagnostic'), '') FROM outbox
                WHERE \(w) AND remote_domain = ? ORDER BY created_at DESC, id DESC LIMIT 1
                """)
            for d in byDomain.keys {
                try latest.query(v + [.text(d)]) { row in byDomain[d]?.latestText = row.text(0) }
            }
            return byDomain.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.domain < $1.domain }
        }
    }

    /// The most recent dead letters (at most `limit`), newest first.
    public func recentDeadLetters(limit: Int) throws(StateDBError) -> [DeadLetterSummary] {
        try withConnection { c in
            var out: [DeadLetterSummary] = []
            try c.prepare(
                """
                SELECT email, reason, last_status, coalesce(last_body, last_error, ''), dead_at FROM outbox
                WHERE state = 'dead' ORDER BY dead_at DESC, id DESC LIMIT ?
                """
            ).query([.int(Int64(limit))]) { row in
                out.append(
                    DeadLetterSummary(
                        email: row.text(0), reason: row.text(1), status: row.optionalInt64(2).map(Int.init),
                        answer: row.text(3), deadAt: row.optionalInt64(4).map(Timestamps.date)))
            }
            return out
        }
    }
}
