extension BounceEvent {
    /// The body of listmonk's `POST /webhooks/bounce`: `email`, `subscriber_uuid` and `campaign_uuid` (only
    /// when known), `source`, `type`, `created_at`, `meta` as an object. Keys in a fixed order; no `dedup_key`.
    public func webhookJSON() -> String {
        var w = JSONWriter()
        writeBody(&w, dedupKey: nil)
        return w.string
    }

    /// One line of the JSON Lines sink: `dedup_key` first, then the webhook body's fields. No trailing newline.
    public func jsonLine() -> String {
        var w = JSONWriter()
        writeBody(&w, dedupKey: dedupKey)
        return w.string
    }

    private func writeBody(_ w: inout JSONWriter, dedupKey: String?) {
        w.objectStart()
        if let dedupKey { w.field("dedup_key", Self.jsonbSafe(dedupKey)) }
        w.field("email", Self.jsonbSafe(email))
        if let subscriberUUID { w.field("subscriber_uuid", subscriberUUID) }
        if let campaignUUID { w.field("campaign_uuid", campaignUUID) }
        w.field("source", Self.jsonbSafe(source))
        w.field("type", type.rawValue)
        w.field("created_at", createdAt)
        w.key("meta")
        meta.write(&w)
        w.objectEnd()
    }

    /// NUL becomes U+FFFD: PostgreSQL's JSONB (listmonk's `meta`) rejects `\u0000`, and listmonk would drop
    /// the bounce after answering 200.
    static func jsonbSafe(_ s: String?) -> String? {
        guard let s, s.utf8.contains(0) else { return s }
        return String(s.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : Character($0) })
    }
}

extension BounceEvent.Meta {
    /// `meta` as a JSON object, keys in a fixed order; absent values are `null` so every event has the same
    /// keys (`hold_reason` and `note` only when set).
    public func json() -> String {
        var w = JSONWriter(capacity: 384)
        write(&w)
        return w.string
    }

    fileprivate func write(_ w: inout JSONWriter) {
        func safe(_ s: String?) -> String? { BounceEvent.jsonbSafe(s) }
        w.objectStart()
        w.field("reason", safe(reason))
        w.field("fault", fault.rawValue)
        w.field("action", action.rawValue)
        w.field("status", safe(status))
        w.field("dsn", safe(dsn))
        w.field("reply_code", replyCode)
        w.field("smtp_stage", smtpStage?.rawValue)
        w.field("remote_host", safe(remoteHost))
        w.field("mta", mta.rawValue)
        w.field("host", safe(host))
        w.field("queue_id", safe(queueID))
        w.field("message_id", safe(messageID))
        w.field("sender", safe(sender))
        w.field("diagnostic", safe(diagnostic))
        w.field("rule", safe(rule))
        w.field("evidence", safe(evidence))
        if let holdReason { w.field("hold_reason", safe(holdReason)) }
        if let note { w.field("note", safe(note)) }
        w.objectEnd()
    }
}
