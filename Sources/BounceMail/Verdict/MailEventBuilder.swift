import BounceCore

/// Turns the verdicts of one mail into bounce events: one per bounce or complaint record, none for
/// delays, success notices and auto-replies (``MailIngestCounts`` counts those).
///
/// Identity: `mail1|<host>|<mail id>|<recipient>|<kind>`, where the mail id is the report's own
/// Message-ID, or a digest of its Date, From, Subject and body when it has none. The same report
/// arriving twice (a pipe retried after exit 75, a Maildir copy and an IMAP copy) gets the same key,
/// so the store's dedup adds nothing the second time.
public struct MailEventBuilder: Sendable {
    /// The MTA host name that identifies this site's events (`general.host_name`).
    public var host: String
    /// listmonk's `source` field.
    public var source: String

    public init(host: String, source: String = "bouncetail-mail") {
        self.host = host
        self.source = source
    }

    /// - Parameters:
    ///   - report: the read mail.
    ///   - verdicts: its verdicts (``MailVerdict/verdicts(for:classifier:)``).
    ///   - mailID: the identity of the report mail (``mailIdentity(_:headers:)``).
    ///   - now: when it was read; the event's `created_at` (a DSN's own Date can be forged or skewed).
    public func events(report: MailReport, verdicts: [MailVerdict], mailID: String, now: LogTime) -> [BounceEvent] {
        eventsWithVerdicts(report: report, verdicts: verdicts, mailID: mailID, now: now).map(\.event)
    }

    /// ``events(report:verdicts:mailID:now:)`` with the verdict each event came from (its recipient report's
    /// Reporting-MTA and queue id, the original's Message-ID: what joins it to the log's bounce).
    public func eventsWithVerdicts(report: MailReport, verdicts: [MailVerdict], mailID: String, now: LogTime)
        -> [(event: BounceEvent, verdict: MailVerdict)]
    {
        verdicts.compactMap { v -> (event: BounceEvent, verdict: MailVerdict)? in
            guard let c = v.classification, let rec = v.report, v.kind == .bounce || v.kind == .complaint else {
                return nil
            }
            let email = (rec.originalRecipient.flatMap { Addresses.looksLikeAddress($0) ? $0 : nil } ?? rec.recipient)
                .lowercased()
            var notes = ["from a \(v.format) report mail"]
            if let f = v.feedbackType { notes.append("feedback type \(f)") }
            let meta = BounceEvent.Meta(
                reason: c.reason, fault: c.fault, action: c.action,
                status: v.kind == .complaint ? "complaint" : "bounced", dsn: rec.status,
                replyCode: StatusCodes.reply(in: rec.diagnostic),
                smtpStage: rec.smtpCommand.flatMap(SMTPStage.init(rawValue:)), remoteHost: rec.remoteMTA?.lowercased(),
                mta: v.format == "exim" ? .exim : .postfix, host: host, queueID: rec.queueID ?? "",
                messageID: v.original.messageID, diagnostic: rec.diagnostic.isEmpty ? nil : rec.diagnostic,
                rule: c.rule, evidence: c.evidence, sender: nil,
                holdReason: c.action == .hold ? "policy holds \(c.fault.rawValue)-fault reason \(c.reason)" : nil,
                note: notes.joined(separator: "; "))
            let key = ["mail1", host, mailID, email, v.kind.rawValue].map(DedupEscape.escape).joined(separator: "|")
            let event = BounceEvent(
                email: email, subscriberUUID: v.original.subscriberUUID, campaignUUID: v.original.campaignUUID,
                source: source, type: c.type, createdAt: RFC3339.format(now), meta: meta, dedupKey: key)
            return (event, v)
        }
    }

    /// The report mail's identity: its Message-ID, else a 64-bit FNV-1a digest of its Date, From,
    /// Subject and body (headers that relays add, such as Received and Delivered-To, are left out so
    /// that copies read from different mailboxes agree).
    public static func mailIdentity(_ bytes: [UInt8], headers: MailHeaders) -> String {
        if let id = headers.raw("message-id"), let clean = OriginalIdentity.messageID(id) { return "mid:" + clean }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ s: S) where S.Element == UInt8 {
            for b in s {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        for name in ["date", "from", "subject"] { mix((headers.raw(name) ?? "").utf8) }
        mix(MIMEParser.splitHeaders(bytes[...]).1)
        let hex = String(h, radix: 16)
        return "fnv:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// `%` and `|` inside a key part written `%25` and `%7C` (as ``DedupKey`` does for log events).
enum DedupEscape {
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "%": out += "%25"
            case "|": out += "%7C"
            default: out.append(c)
            }
        }
        return out
    }
}
