#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON for persisted tracker state.
///
/// Writing is hand-made with ``JSONWriter``: a backfill commits a batch every few thousand lines and
/// encodes every message it touched, and Foundation's `JSONEncoder` was a sixth of a backfill's CPU time.
/// The output is the JSON `JSONEncoder` made before (the synthesised and custom `Codable` key names, keys
/// sorted, `nil` fields left out), so rows written by either decode the same way; reading (start-up only)
/// stays with `JSONDecoder` and the `Codable` conformances, which remain the definition of the format.
enum TrackerCoding {
    /// The message's state as JSON into `w` (reset first); the bytes are `w.bytes`.
    static func write(_ s: MessageState, to w: inout JSONWriter) {
        w.reset()
        // Keys in byte order, as `JSONEncoder`'s `.sortedKeys` wrote them.
        w.objectStart()
        if let v = s.campaignUUID { w.field("campaignUUID", v) }
        w.key("childQueueIDs")
        w.arrayStart()
        for id in s.childQueueIDs { w.value(id) }
        w.arrayEnd()
        w.field("expiredSeen", s.expiredSeen)
        w.key("firstSeen")
        writeTime(s.firstSeen, to: &w)
        w.field("host", s.host)
        w.field("isBounceNotification", s.isBounceNotification)
        w.key("lastAttemptByDomain")
        w.objectStart()
        for domain in sortedKeys(s.lastAttemptByDomain) {
            w.key(domain)
            writeAttempt(s.lastAttemptByDomain[domain]!, to: &w)
        }
        w.objectEnd()
        w.key("lastSeen")
        writeTime(s.lastSeen, to: &w)
        if let v = s.messageID { w.field("messageID", v) }
        w.field("mta", s.mta.rawValue)
        if let v = s.parentQueueID { w.field("parentQueueID", v) }
        w.field("queueID", s.queueID)
        w.key("recipients")
        w.objectStart()
        for address in sortedKeys(s.recipients) {
            w.key(address)
            writeRecipient(s.recipients[address]!, to: &w)
        }
        w.objectEnd()
        if let v = s.sender { w.field("sender", v) }
        if let v = s.subscriberUUID { w.field("subscriberUUID", v) }
        w.field("v", s.v)
        w.objectEnd()
    }

    /// A recent attempt (a `~d:` / `~h:` row) as JSON into `w` (reset first).
    static func write(_ a: StoredAttempt, to w: inout JSONWriter) {
        w.reset()
        writeAttempt(a, to: &w)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    private static func writeRecipient(_ r: RecipientState, to w: inout JSONWriter) {
        w.objectStart()
        if let a = r.borrowedAttempt {
            w.key("borrowedAttempt")
            writeAttempt(a, to: &w)
        }
        w.field("finished", r.finished)
        if let t = r.firstDeferred {
            w.key("firstDeferred")
            writeTime(t, to: &w)
        }
        if let a = r.lastAttempt {
            w.key("lastAttempt")
            writeAttempt(a, to: &w)
        }
        if let a = r.lastNonAttempt {
            w.key("lastNonAttempt")
            writeAttempt(a, to: &w)
        }
        w.field("order", r.order)
        if let v = r.originalRecipient { w.field("originalRecipient", v) }
        w.field("recipient", r.recipient)
        w.field("reported", r.reported)
        w.objectEnd()
    }

    /// The keys of ``StoredAttempt``'s `CodingKeys`, in byte order.
    private static func writeAttempt(_ s: StoredAttempt, to w: inout JSONWriter) {
        let a = s.attempt
        w.objectStart()
        if let v = a.agent { w.field("agent", v) }
        if !a.isAttempt { w.field("attempt", false) }
        if let v = a.replyCode { w.field("code", v) }
        w.field("diag", a.diagnostic)
        if let v = a.dsn { w.field("dsn", v) }
        if let v = a.enhancedCode { w.field("ecode", v) }
        w.field("mta", a.mta.rawValue)
        if let v = a.originalRecipient { w.field("orig", v) }
        w.field("qid", a.queueID)
        if let v = a.queuedAs { w.field("queued_as", v) }
        w.field("raw", a.rawStatus)
        w.field("rcpt", a.recipient)
        if let v = a.relay { w.field("relay", v) }
        if a.isRetryTimeout { w.field("retry_timeout", true) }
        if let v = a.remoteHost { w.field("rhost", v) }
        if let v = a.smtpStage { w.field("stage", v.rawValue) }
        w.field("status", a.status.rawValue)
        w.key("time")
        writeTime(s.time, to: &w)
        w.objectEnd()
    }

    /// ``LogTime``'s synthesised form.
    private static func writeTime(_ t: LogTime, to w: inout JSONWriter) {
        w.objectStart()
        w.key("microseconds")
        w.value(t.microseconds)
        w.objectEnd()
    }

    /// Dictionary keys in UTF-8 byte order (one key, the common case, costs no sort).
    private static func sortedKeys<V>(_ d: [String: V]) -> [String] {
        if d.count <= 1 { return Array(d.keys) }
        return d.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
