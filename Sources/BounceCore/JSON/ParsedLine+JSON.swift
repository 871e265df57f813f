extension LogTime {
    /// RFC 3339 in UTC: `2026-11-26T16:21:54Z`, with `.ffffff` when the time has microseconds.
    public var rfc3339: String {
        let secs = seconds
        let micros = microseconds - secs * 1_000_000
        let days = Int(floorDiv(secs, 86_400))
        let sod = Int(secs - Int64(days) * 86_400)
        let (y, m, d) = CivilTime.date(days: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(y)-\(two(m))-\(two(d))T\(two(sod / 3600)):\(two(sod / 60 % 60)):\(two(sod % 60))"
        if micros != 0 {
            let f = String(micros)
            out += "." + String(repeating: "0", count: 6 - f.count) + f
        }
        return out + "Z"
    }
}

extension ParsedLine {
    /// Writes this line as one JSON object, as `bouncetail parse` prints it: `kind`, the envelope (`time`,
    /// `host`, `program`, `pid`), then the record's fields in snake_case (`raw_status` as written and the
    /// normalised `status` for delivery lines). Unrecognised lines are `{"kind":"other"}`.
    public func writeJSON(to w: inout JSONWriter) {
        w.objectStart()
        w.key("kind")
        w.value(record.kind.rawValue)
        if case .other = record {
            w.objectEnd()
            return
        }
        w.field("time", envelope.time?.rfc3339)
        w.field("host", envelope.host)
        w.field("program", envelope.program)
        w.field("pid", envelope.pid)
        Self.writeFields(of: record, to: &w)
        if !extraHeaders.isEmpty {
            w.key("extra_headers")
            w.arrayStart()
            for h in extraHeaders {
                if case .header(_, _, let name, let value) = h {
                    w.objectStart()
                    w.field("name", name)
                    w.field("value", value)
                    w.objectEnd()
                }
            }
            w.arrayEnd()
        }
        w.objectEnd()
    }

    static func writeFields(of record: LogRecord, to w: inout JSONWriter) {
        switch record {
        case .delivery(let a):
            w.field("mta", a.mta.rawValue)
            w.field("queue_id", a.queueID)
            w.field("recipient", a.recipient)
            w.field("orig_to", a.originalRecipient)
            w.field("agent", a.agent)
            w.field("relay", a.relay)
            w.field("remote_host", a.remoteHost)
            w.field("dsn", a.dsn)
            w.field("raw_status", a.rawStatus)
            w.field("status", a.status.rawValue)
            w.field("reply_code", a.replyCode)
            w.field("enhanced_code", a.enhancedCode)
            w.field("smtp_stage", a.smtpStage?.rawValue)
            w.field("diagnostic", a.diagnostic)
            w.field("queued_as", a.queuedAs)
            w.field("is_attempt", a.isAttempt)
            w.field("is_retry_timeout", a.isRetryTimeout)
        case .queued(let q):
            w.field("mta", q.mta.rawValue)
            w.field("queue_id", q.queueID)
            w.field("sender", q.sender)
            w.field("message_id", q.messageID)
            w.field("bounce_of", q.bounceOf)
            w.field("size", q.size)
            w.field("recipient_count", q.recipientCount)
        case .expired(let mta, let queueID, let sender, let rawStatus):
            w.field("mta", mta.rawValue)
            w.field("queue_id", queueID)
            w.field("sender", sender)
            w.field("raw_status", rawStatus)
            w.field("status", DeliveryStatus.expired.rawValue)
        case .removed(let mta, let queueID):
            w.field("mta", mta.rawValue)
            w.field("queue_id", queueID)
        case .messageID(let mta, let queueID, let messageID):
            w.field("mta", mta.rawValue)
            w.field("queue_id", queueID)
            w.field("message_id", messageID)
        case .header(let mta, let queueID, let name, let value):
            w.field("mta", mta.rawValue)
            w.field("queue_id", queueID)
            w.field("name", name)
            w.field("value", value)
        case .bounceNotification(let mta, let queueID, let notificationQueueID, let kind):
            w.field("mta", mta.rawValue)
            w.field("queue_id", queueID)
            w.field("notification_queue_id", notificationQueueID)
            w.field("notification_kind", kind)
        case .inboundReject(let mta), .warning(let mta), .otherMTA(let mta):
            w.field("mta", mta.rawValue)
        case .other:
            break
        }
    }
}
