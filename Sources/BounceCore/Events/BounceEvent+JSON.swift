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
        w.beginObject()
        if let dedupKey { w.field("dedup_key", dedupKey) }
        w.field("email", email)
        if let subscriberUUID { w.field("subscriber_uuid", subscriberUUID) }
        if let campaignUUID { w.field("campaign_uuid", campaignUUID) }
        w.field("source", source)
        w.field("type", type.rawValue)
        w.field("created_at", createdAt)
        w.key("meta")
        meta.write(&w)
        w.endObject()
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
        w.beginObject()
        w.field("reason", reason)
        w.field("fault", fault.rawValue)
        w.field("action", action.rawValue)
        w.field("status", status)
        w.field("dsn", dsn)
        w.field("reply_code", replyCode)
        w.field("smtp_stage", smtpStage?.rawValue)
        w.field("remote_host", remoteHost)
        w.field("mta", mta.rawValue)
        w.field("host", host)
        w.field("queue_id", queueID)
        w.field("message_id", messageID)
        w.field("sender", sender)
        w.field("diagnostic", diagnostic)
        w.field("rule", rule)
        w.field("evidence", evidence)
        if let holdReason { w.field("hold_reason", holdReason) }
        if let note { w.field("note", note) }
        w.endObject()
    }
}
