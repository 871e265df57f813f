import BounceCore
import Foundation

/// The fields a later reader of a known bounce may know that the first one did not: listmonk's UUIDs (from
/// the `X-Listmonk-*` header lines) and, in `meta`, the Message-ID and envelope sender (from the cleanup and
/// qmgr lines). A reader that started mid-message saw only the failure line; everything else in an event
/// (recipient, status, reply, classification) comes from the lines both readers saw, so it is not merged.
struct EnrichableFields: Equatable {
    var subscriberUUID: String?
    var campaignUUID: String?
    var messageID: String?
    var sender: String?

    init(subscriberUUID: String?, campaignUUID: String?, messageID: String?, sender: String?) {
        // The local store writes an unknown UUID as '': the same as absent.
        func known(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        self.subscriberUUID = known(subscriberUUID)
        self.campaignUUID = known(campaignUUID)
        self.messageID = known(messageID)
        self.sender = known(sender)
    }

    init(_ event: BounceEvent) {
        self.init(
            subscriberUUID: event.subscriberUUID, campaignUUID: event.campaignUUID, messageID: event.meta.messageID,
            sender: event.meta.sender)
    }

    var isEmpty: Bool { subscriberUUID == nil && campaignUUID == nil && messageID == nil && sender == nil }

    /// What merging `offered` into these (stored) fields gives.
    enum Merge: Equatable {
        /// `offered` adds nothing.
        case nothing
        /// The stored fields with the missing ones filled; `addsUUID` when a UUID is among them.
        case fill(EnrichableFields, addsUUID: Bool)
        /// A value set on both sides differs: the readers are not describing the same message the same way,
        /// so nothing of `offered` is trusted (not even a field the stored record lacks).
        case conflict(String)
    }

    func merge(_ offered: EnrichableFields) -> Merge {
        var out = self
        var conflicts: [String] = []
        var adds = false
        var addsUUID = false
        func take(_ stored: String?, _ new: String?, _ name: String, uuid: Bool, caseless: Bool) -> String? {
            guard let new else { return stored }
            guard let stored else {
                adds = true
                if uuid { addsUUID = true }
                return new
            }
            let same = caseless ? stored.lowercased() == new.lowercased() : stored == new
            if !same { conflicts.append("\(name) \(stored) is stored, a later reader saw \(new)") }
            return stored
        }
        out.subscriberUUID = take(subscriberUUID, offered.subscriberUUID, "subscriber_uuid", uuid: true, caseless: true)
        out.campaignUUID = take(campaignUUID, offered.campaignUUID, "campaign_uuid", uuid: true, caseless: true)
        out.messageID = take(messageID, offered.messageID, "message_id", uuid: false, caseless: false)
        out.sender = take(sender, offered.sender, "sender", uuid: false, caseless: true)
        if !conflicts.isEmpty { return .conflict(conflicts.joined(separator: "; ")) }
        return adds ? .fill(out, addsUUID: addsUUID) : .nothing
    }

    /// `event` with these fields.
    func apply(to event: inout BounceEvent) {
        event.subscriberUUID = subscriberUUID
        event.campaignUUID = campaignUUID
        event.meta.messageID = messageID
        event.meta.sender = sender
    }

    /// The UUIDs `self` has that `stored` lacks, for a log line.
    func describeUUIDs(missingFrom stored: EnrichableFields) -> String {
        var parts: [String] = []
        if let s = subscriberUUID, stored.subscriberUUID == nil { parts.append("subscriber_uuid \(s)") }
        if let c = campaignUUID, stored.campaignUUID == nil { parts.append("campaign_uuid \(c)") }
        return parts.joined(separator: " and ")
    }
}

/// A stored webhook body read back: every field of ``BounceEvent`` but the dedup key, which the webhook body
/// does not carry (the outbox row does).
struct StoredWebhookBody: Decodable {
    var email: String
    var subscriberUUID: String?
    var campaignUUID: String?
    var source: String
    var type: BounceType
    var createdAt: String
    var meta: BounceEvent.Meta

    enum CodingKeys: String, CodingKey {
        case email, source, type, meta
        case subscriberUUID = "subscriber_uuid"
        case campaignUUID = "campaign_uuid"
        case createdAt = "created_at"
    }

    func event(dedupKey: String) -> BounceEvent {
        BounceEvent(
            email: email, subscriberUUID: subscriberUUID, campaignUUID: campaignUUID, source: source, type: type,
            createdAt: createdAt, meta: meta, dedupKey: dedupKey)
    }
}

extension StateDB {
    /// Merges what a duplicate `event` knows into the bounce stored under its dedup key, inside the batch's
    /// transaction (see docs/design/2026-11-26-uuid-enrichment.md).
    ///
    /// - the local `bounces` row is always updated: it is the record, nothing has left the machine;
    /// - the outbox row's body is updated while the row is `held`, `dead`, or `pending` and not claimed;
    /// - a `pending` row claimed by a dispatcher (`claimed_until` in the future) is left alone: the dispatcher
    ///   holds a copy of the body and may be sending it right now. Rewriting the body under it would make the
    ///   row claim a UUID that listmonk never received once `markSent` lands; the dispatcher never rereads a
    ///   claimed body, so skipping is the only safe choice. The UUID counts as too late (a later re-read may
    ///   still merge it if that attempt fails and the row goes back to `pending`);
    /// - a `sent` row stays as sent (listmonk has no update): too late.
    ///
    /// A UUID is never replaced: a disagreement keeps the stored values and counts as a conflict. Too-late and
    /// conflict are reported once per key (`dedup_keys.enrich_note`), so re-reading the same logs does not
    /// count or log them again. Never inserts an outbox row.
    static func enrich(
        _ c: SQLiteConnection, with event: BounceEvent, now: Int64,
        encoder: (BounceEvent) throws -> [UInt8], into result: inout BatchResult
    ) throws {
        try enrich(
            c, key: event.dedupKey, email: event.email, offered: EnrichableFields(event), now: now, encoder: encoder,
            into: &result)
    }

    /// Merges `offered` into the bounce stored under `key` (as above): how a log line and a report mail of one
    /// bounce, or a delivery in the sent index, add what the stored event lacks.
    static func enrich(
        _ c: SQLiteConnection, key: String, email: String, offered: EnrichableFields, now: Int64,
        encoder: (BounceEvent) throws -> [UInt8], into result: inout BatchResult
    ) throws {
        guard !offered.isEmpty else { return }
        var changed = false
        var tooLate: String?
        var conflict: String?

        // Both rows are read before anything is written: no update runs under an open cursor.
        struct BounceRow {
            var id: Int64
            var meta: String
            var stored: EnrichableFields
        }
        struct OutboxEntry {
            var id: Int64
            var state: OutboxState?
            var claimedUntil: Int64?
            var body: String
            var sentAt: Int64?
            var stored: EnrichableFields
        }
        var bounce: BounceRow?
        try c.cached(
            """
            SELECT id, subscriber_uuid, campaign_uuid, meta,
                CASE WHEN json_valid(meta) THEN json_extract(meta, '$.message_id') END,
                CASE WHEN json_valid(meta) THEN json_extract(meta, '$.sender') END
            FROM bounces WHERE dedup_key = ?
            """
        ).query([.text(key)]) { s in
            bounce = BounceRow(
                id: s.int64(0), meta: s.text(3),
                stored: EnrichableFields(
                    subscriberUUID: s.text(1), campaignUUID: s.text(2), messageID: s.optionalText(4),
                    sender: s.optionalText(5)))
        }
        // Replay rows have keys of their own and never match.
        var entry: OutboxEntry?
        try c.cached(
            """
            SELECT id, state, claimed_until, body, sent_at,
                CASE WHEN json_valid(body) THEN json_extract(body, '$.subscriber_uuid') END,
                CASE WHEN json_valid(body) THEN json_extract(body, '$.campaign_uuid') END,
                CASE WHEN json_valid(body) THEN json_extract(body, '$.meta.message_id') END,
                CASE WHEN json_valid(body) THEN json_extract(body, '$.meta.sender') END
            FROM outbox WHERE dedup_key = ?
            """
        ).query([.text(key)]) { s in
            entry = OutboxEntry(
                id: s.int64(0), state: OutboxState(rawValue: s.text(1)), claimedUntil: s.optionalInt64(2),
                body: s.text(3), sentAt: s.optionalInt64(4),
                stored: EnrichableFields(
                    subscriberUUID: s.optionalText(5), campaignUUID: s.optionalText(6), messageID: s.optionalText(7),
                    sender: s.optionalText(8)))
        }

        // The local store: the record itself, nothing has left the machine.
        if let b = bounce {
            switch b.stored.merge(offered) {
            case .nothing: break
            case .conflict(let why): conflict = why
            case .fill(let merged, _):
                var meta = b.meta
                // A meta that does not decode keeps its text; the UUID columns are what listmonk's shape needs.
                if var m = try? JSONDecoder().decode(BounceEvent.Meta.self, from: Data(meta.utf8)) {
                    m.messageID = merged.messageID
                    m.sender = merged.sender
                    meta = try Self.metaJSON(m)
                }
                try c.run(
                    "UPDATE bounces SET subscriber_uuid = ?, campaign_uuid = ?, meta = ? WHERE id = ?",
                    [.text(merged.subscriberUUID ?? ""), .text(merged.campaignUUID ?? ""), .text(meta), .int(b.id)])
                changed = true
            }
        }

        if let o = entry {
            switch o.stored.merge(offered) {
            case .nothing: break
            case .conflict(let why): conflict = why
            case .fill(let merged, let addsUUID):
                let inFlight = o.state == .pending && (o.claimedUntil ?? 0) > now
                if o.state == .sent || inFlight {
                    // A row released into the local store is `sent` too; its `bounces` row is the record.
                    // A Message-ID or sender alone arriving late is not worth a report: listmonk does not use them.
                    if addsUUID, bounce == nil {
                        let what = offered.describeUUIDs(missingFrom: o.stored)
                        if inFlight {
                            tooLate =
                                "\(what) arrived while the bounce was being delivered without it; it stays as "
                                + "sent if that attempt succeeds"
                        } else {
                            let when = o.sentAt.map { Timestamps.formatRFC3339(micros: $0) } ?? "earlier"
                            tooLate =
                                "\(what) arrived after the bounce was delivered without it (\(when)); listmonk "
                                + "matched it by e-mail and cannot attribute it to the campaign"
                        }
                    }
                } else {
                    do {
                        var enriched = try JSONDecoder().decode(StoredWebhookBody.self, from: Data(o.body.utf8))
                            .event(dedupKey: key)
                        merged.apply(to: &enriched)
                        try c.run(
                            "UPDATE outbox SET body = ? WHERE id = ?",
                            [.text(String(decoding: try encoder(enriched), as: UTF8.self)), .int(o.id)])
                        changed = true
                    } catch let error as DecodingError {
                        // Not a body this version wrote: leave it and say so once. Throwing would roll the
                        // batch back and stop reading over a field listmonk can do without.
                        if addsUUID {
                            tooLate = "the stored body could not be read back (\(error)); it is left as it is"
                        }
                    }
                }
            }
        }

        if changed { result.enriched += 1 }
        if let conflict {
            try report(
                c, .conflict, key: key, email: email, detail: conflict + "; the stored values are kept", into: &result)
        } else if let tooLate {
            try report(c, .tooLate, key: key, email: email, detail: tooLate, into: &result)
        }
    }

    /// Counts and lists a notice, unless one was already reported for this key.
    private static func report(
        _ c: SQLiteConnection, _ kind: EnrichmentNotice.Kind, key: String, email: String, detail: String,
        into result: inout BatchResult
    ) throws {
        let first = try c.run(
            "UPDATE dedup_keys SET enrich_note = ? WHERE dedup_key = ? AND enrich_note IS NULL",
            [.text("\(kind.rawValue): \(detail)"), .text(key)])
        guard first == 1 else { return }
        switch kind {
        case .tooLate: result.enrichTooLate += 1
        case .conflict: result.enrichConflicts += 1
        }
        result.enrichmentNotices.append(
            EnrichmentNotice(kind: kind, dedupKey: key, email: email, detail: detail))
    }

    /// `meta` as the local store writes it (compact, sorted keys: the bytes `JSONEncoder` wrote, made by hand).
    static func metaJSON(_ meta: BounceEvent.Meta) throws -> String { meta.storeJSON() }
}
