import BounceCore
import Foundation

/// One bounce, one event, whether the log line or the report mail arrives first; and the sent index that tells a
/// report about our own mail from a forged one (docs/design/2026-12-03-mail-join.md). Everything here runs inside
/// the batch's transaction (``StateDB/commit(_:)``).
extension StateDB {
    /// The join keys of a new event: a log event's from its own fields, a mail event's from its ``MailJoin``.
    static func joinKeys(_ event: BounceEvent, mail: MailJoin?) -> [String] {
        if let mail {
            return MailJoin.keys(
                host: mail.host, queueID: mail.queueID, messageID: mail.messageID, recipient: event.email)
        }
        return MailJoin.keys(
            host: event.meta.host, queueID: event.meta.queueID, messageID: event.meta.messageID,
            recipient: event.email)
    }

    /// When the other reader already stored this bounce, merges `p` into that event and returns true (no row is
    /// written for `p`). A log line that finds a report mail's event held as unmatched releases it: the log now
    /// shows the message. A complaint joins nothing (it is not the same thing as any log line).
    static func joinStored(
        _ c: SQLiteConnection, _ p: PreparedEvent, mail: MailJoin?, sink: Batch.Sink, now: Int64,
        encoder: (BounceEvent) throws -> [UInt8], into result: inout BatchResult
    ) throws -> Bool {
        if p.event.type == .complaint { return false }
        let other = mail == nil ? "mail" : "log"
        var target: (key: String, heldUnmatched: Bool)?
        for k in joinKeys(p.event, mail: mail) where target == nil {
            try c.cached("SELECT dedup_key, held_unmatched FROM bounce_joins WHERE join_key = ? AND origin = ?")
                .query([.text(k), .text(other)]) { target = ($0.text(0), $0.int64(1) != 0) }
        }
        guard let target else { return false }
        try enrich(
            c, key: target.key, email: p.event.email, offered: EnrichableFields(p.event), now: now, encoder: encoder,
            into: &result)
        if target.heldUnmatched, try liftUnmatched(c, key: target.key, sink: sink, now: now, encoder: encoder) {
            result.unmatchedReleased += 1
        }
        return true
    }

    /// A report mail's event that joined no log bounce: when the sent index shows the message delivered to its
    /// recipient it is a new, asynchronous bounce, and takes the UUIDs the logs knew; when it does not, a hard
    /// bounce or complaint is held as `unmatched` (if the policy says so) with a reason that says what was looked for.
    static func checkSent(
        _ c: SQLiteConnection, _ p: inout PreparedEvent, mail: MailJoin, into result: inout BatchResult
    )
        throws
    {
        var found: (subscriber: String?, campaign: String?)?
        let rcpt = p.event.email.lowercased()
        // sent_log first (the rows since schema version 6), then sent_index (those before, while any is left).
        if let mid = mail.messageID, let mkey = SentKeyHash.message(mid, recipient: rcpt) {
            try c.cached(
                """
                SELECT subscriber_uuid, campaign_uuid FROM sent_log
                WHERE mkey = ? AND message_id = ? AND recipient = ? ORDER BY at DESC, id DESC LIMIT 1
                """
            ).query([.int(mkey), .text(mid), .text(rcpt)]) { found = ($0.optionalText(0), $0.optionalText(1)) }
            if found == nil {
                try c.cached(
                    "SELECT subscriber_uuid, campaign_uuid FROM sent_index WHERE message_id = ? AND recipient = ? LIMIT 1"
                ).query([.text(mid), .text(rcpt)]) { found = ($0.optionalText(0), $0.optionalText(1)) }
            }
        }
        if found == nil, let host = mail.host, let qid = mail.queueID, !qid.isEmpty {
            try c.cached(
                """
                SELECT subscriber_uuid, campaign_uuid FROM sent_log
                WHERE qkey = ? AND host = ? AND queue_id = ? AND recipient = ? ORDER BY at DESC, id DESC LIMIT 1
                """
            ).query([
                .int(SentKeyHash.queue(host: host, queueID: qid, recipient: rcpt)), .text(host), .text(qid),
                .text(rcpt),
            ]) { found = ($0.optionalText(0), $0.optionalText(1)) }
            if found == nil {
                try c.cached(
                    "SELECT subscriber_uuid, campaign_uuid FROM sent_index WHERE host = ? AND queue_id = ? AND recipient = ?"
                ).query([.text(host), .text(qid), .text(rcpt)]) { found = ($0.optionalText(0), $0.optionalText(1)) }
            }
        }
        if let found {
            if p.event.subscriberUUID == nil, let s = found.subscriber, UUIDSyntax.isWellFormed(s) {
                p.event.subscriberUUID = s
            }
            if p.event.campaignUUID == nil, let s = found.campaign, UUIDSyntax.isWellFormed(s) {
                p.event.campaignUUID = s
            }
            return
        }
        guard mail.holdUnmatched, p.event.type == .hard || p.event.type == .complaint,
            p.event.meta.action == .forward
        else { return }
        var named: [String] = []
        if let mid = mail.messageID, !mid.isEmpty { named.append("Message-ID <\(mid)>") }
        if let qid = mail.queueID, !qid.isEmpty { named.append("queue id \(qid) on \(mail.host ?? "?")") }
        let what = named.isEmpty ? "names no Message-ID or queue id of ours" : "names " + named.joined(separator: ", ")
        p.event.meta.action = .hold
        p.event.meta.holdReason =
            "unmatched: the report \(what), and no log shows a message we sent to \(rcpt) with it "
            + "(the sent index keeps outbox.retention); a forged or foreign report is not forwarded"
        p.holdReason = MailJoin.unmatchedHoldCode
        result.heldUnmatched += 1
    }

    /// Files a newly stored event under its join keys. A log event replaces an older log event's key (Postfix
    /// reuses queue ids; the newer message is the one a DSN still to come is about) but never a mail event's.
    static func registerJoins(_ c: SQLiteConnection, _ p: PreparedEvent, mail: MailJoin?, now: Int64) throws {
        if p.event.type == .complaint { return }
        let held = p.holdReason == MailJoin.unmatchedHoldCode ? 1 : 0
        for k in joinKeys(p.event, mail: mail) {
            try c.cached(
                """
                INSERT INTO bounce_joins (join_key, dedup_key, origin, held_unmatched, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(join_key) DO UPDATE SET dedup_key = excluded.dedup_key, held_unmatched = 0,
                    created_at = excluded.created_at
                WHERE bounce_joins.origin = 'log' AND excluded.origin = 'log'
                """
            ).run([
                .text(k), .text(p.event.dedupKey), .text(mail == nil ? "log" : "mail"), .int(Int64(held)), .int(now),
            ])
        }
    }

    /// Adds the batch's deliveries to the sent index (`sent_log`), each once: a delivery whose claim was new in
    /// this transaction (``countOutcomes(_:events:tallies:prepared:)``) is appended; one claimed before was
    /// recorded then; one not counted (its day pruned, or claimed before schema version 5) is appended when no row
    /// has it. A delivery that names a report mail's event held as unmatched (the report arrived before its log
    /// line was read) releases it and gives it the logged UUIDs.
    static func recordSent(
        _ c: SQLiteConnection, _ tallies: [OutcomeTally], prepared: PreparedTallies, claims: [TallyClaim],
        sink: Batch.Sink, now: Int64, encoder: (BounceEvent) throws -> [UInt8], into result: inout BatchResult
    ) throws {
        var anyHeld: Bool?
        // Looked up once per batch, not once per delivery (the cache is keyed by the SQL text, hashed whole).
        let rows = RowAppender(
            c, into: "sent_log",
            columns: [
                "at", "qkey", "mkey", "host", "queue_id", "recipient", "message_id", "subscriber_uuid", "campaign_uuid",
            ])
        for (i, t) in tallies.enumerated() where t.kind == .delivered {
            let e = prepared.entries[i]
            var append = claims[i] == .new
            if claims[i] == .uncounted {
                // The lookup must see the rows appended so far.
                try rows.flush()
                append = try !isSent(c, t, qkey: e.qkey)
            }
            if append {
                rows.add(.int(t.time.microseconds))
                rows.add(.int(e.qkey))
                rows.add(.int(e.mkey))
                rows.add(.text(t.host))
                rows.add(.text(t.queueID))
                rows.add(.text(t.recipient))
                rows.add(.text(t.messageID))
                rows.add(.text(t.subscriberUUID))
                rows.add(.text(t.campaignUUID))
                try rows.endRow()
            }
            // One query per batch while nothing is held unmatched (the usual case): no per-delivery lookup.
            if anyHeld == nil {
                anyHeld = try c.scalarInt("SELECT EXISTS (SELECT 1 FROM bounce_joins WHERE held_unmatched = 1)") == 1
            }
            guard anyHeld == true else { continue }
            var key: String?
            for k in MailJoin.keys(host: t.host, queueID: t.queueID, messageID: t.messageID, recipient: t.recipient)
            where key == nil {
                try c.cached("SELECT dedup_key FROM bounce_joins WHERE join_key = ? AND held_unmatched = 1")
                    .query([.text(k)]) { key = $0.text(0) }
            }
            guard let key else { continue }
            try enrich(
                c, key: key, email: t.recipient,
                offered: EnrichableFields(
                    subscriberUUID: t.subscriberUUID, campaignUUID: t.campaignUUID, messageID: nil, sender: nil),
                now: now, encoder: encoder, into: &result)
            if try liftUnmatched(c, key: key, sink: sink, now: now, encoder: encoder) { result.unmatchedReleased += 1 }
        }
        try rows.flush()
    }

    /// Whether the sent index (`sent_log`, or `sent_index` from before schema version 6) has this delivery.
    static func isSent(_ c: SQLiteConnection, _ t: OutcomeTally, qkey: Int64) throws -> Bool {
        var found = false
        try c.cached(
            "SELECT 1 FROM sent_log WHERE qkey = ? AND at = ? AND host = ? AND queue_id = ? AND recipient = ? LIMIT 1"
        ).query([.int(qkey), .int(t.time.microseconds), .text(t.host), .text(t.queueID), .text(t.recipient)]) { _ in
            found = true
        }
        if found { return true }
        try c.cached("SELECT 1 FROM sent_index WHERE host = ? AND queue_id = ? AND recipient = ? AND at = ?").query([
            .text(t.host), .text(t.queueID), .text(t.recipient), .int(t.time.microseconds),
        ]) { _ in found = true }
        return found
    }

    /// Releases a report mail's event held as unmatched: its body says `forward` again and it goes to the sink.
    /// Returns false when the row is no longer held as unmatched (the operator released or it was pruned).
    static func liftUnmatched(
        _ c: SQLiteConnection, key: String, sink: Batch.Sink, now: Int64, encoder: (BounceEvent) throws -> [UInt8]
    ) throws -> Bool {
        try c.run("UPDATE bounce_joins SET held_unmatched = 0 WHERE dedup_key = ?", [.text(key)])
        var row: (id: Int64, body: String, logTime: Int64)?
        try c.cached(
            "SELECT id, body, created_at FROM outbox WHERE dedup_key = ? AND state = 'held' AND hold_reason = ?"
        )
        .query([.text(key), .text(MailJoin.unmatchedHoldCode)]) { row = ($0.int64(0), $0.text(1), $0.int64(2)) }
        guard let row else { return false }
        var event = try JSONDecoder().decode(StoredWebhookBody.self, from: Data(row.body.utf8)).event(dedupKey: key)
        event.meta.action = .forward
        event.meta.holdReason = nil
        switch sink {
        case .outbox:
            try c.run(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, hold_reason = NULL, action = ?, body = ? "
                    + "WHERE id = ?",
                [
                    .int(now), .text(ForwardAction.forward.rawValue),
                    .text(String(decoding: try encoder(event), as: UTF8.self)), .int(row.id),
                ])
        case .localStore:
            try insertBounce(
                c, email: event.email, subscriberUUID: event.subscriberUUID, campaignUUID: event.campaignUUID,
                type: event.type.rawValue, source: event.source, meta: try metaJSON(event.meta),
                createdAt: event.createdAt, createdMicros: row.logTime, dedupKey: key)
            try c.run(
                "UPDATE outbox SET state = 'sent', sent_at = ?, hold_reason = NULL, action = ? WHERE id = ?",
                [.int(now), .text(ForwardAction.forward.rawValue), .int(row.id)])
        }
        return true
    }
}
