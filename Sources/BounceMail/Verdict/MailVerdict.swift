import BounceClassifier
import BounceCore

/// What a recipient record of a mail means for listmonk.
public enum MailKind: String, Sendable, Hashable, Codable, CaseIterable {
    case bounce
    case complaint
    case autoReply = "auto-reply"
    case delayed
    case delivered
    case unknown
}

/// One record of a mail (a recipient), classified: the fields `classify-mail` prints and an event needs.
public struct MailVerdict: Sendable, Hashable {
    public var kind: MailKind
    public var format: String
    public var report: RecipientReport?
    public var classification: Classification?
    public var original: OriginalIdentity
    public var feedbackType: String?
    /// Why there is no event, when there is none (no recipient, a delay, an auto-reply...).
    public var note: String?

    public init(
        kind: MailKind, format: String, report: RecipientReport?, classification: Classification?,
        original: OriginalIdentity, feedbackType: String?, note: String?
    ) {
        self.kind = kind
        self.format = format
        self.report = report
        self.classification = classification
        self.original = original
        self.feedbackType = feedbackType
        self.note = note
    }

    /// The verdicts for every record of a report, in order; one record with `kind` unknown and a note
    /// when the report names no recipient.
    public static func verdicts(for r: MailReport, classifier: Classifier) -> [MailVerdict] {
        guard !r.recipients.isEmpty else {
            return [
                MailVerdict(
                    kind: r.isAutoReply ? .autoReply : (r.feedback != nil ? .complaint : .unknown), format: r.format,
                    report: nil, classification: nil, original: r.original, feedbackType: r.feedback?.feedbackType,
                    note: r.note ?? "no recipient found")
            ]
        }
        return r.recipients.map { rec in
            var v = MailVerdict(
                kind: .unknown, format: r.format, report: rec, classification: nil, original: r.original,
                feedbackType: r.feedback?.feedbackType, note: nil)
            if let fb = r.feedback {
                v.kind = .complaint
                v.classification = Classification(
                    reason: "feedback", type: .complaint, fault: .recipient, action: .forward,
                    rule: "mail.arf", evidence: "feedback report, Feedback-Type \(fb.feedbackType)")
                return v
            }
            if r.isAutoReply {
                v.kind = .autoReply
                v.note = "automatic reply (RFC 3834): counted, not a bounce"
                return v
            }
            v.kind = kind(of: rec)
            switch v.kind {
            case .bounce:
                v.classification = classify(rec, format: r.format, classifier: classifier)
            case .delayed:
                v.note = "delay warning (Action: delayed): the message may still be delivered"
            case .delivered:
                v.note = "success notice (Action: \(rec.action ?? "delivered"))"
            default:
                break
            }
            return v
        }
    }

    /// The classifier's verdict, unless it only had the code table or a class default to go on and the
    /// report's wording is one a vendor's report uses for a named reason (``VendorPhrases``), or the
    /// vendor reader stated the reason itself.
    static func classify(_ rec: RecipientReport, format: String, classifier: Classifier) -> Classification {
        let c = classifier.classify(evidence(rec))
        let fromText = c.rule.hasPrefix("probe.") || c.rule.hasPrefix("provider.")
        let stated: (reason: String, rule: String, evidence: String)?
        if let r = rec.vendorReason, let agent = rec.deliveryAgent {
            stated = (r, "mail.mda.\(agent)", "the local delivery agent \(agent) states \(r)")
        } else if let r = rec.vendorReason {
            stated = (r, "mail.vendor.\(format)", "the \(format) report states \(r)")
        } else if let e = VendorPhrases.match(rec.diagnostic, format: format),
            !fromText || c.rule.has("unstaged")
                || (e.format == format && StatusCodes.reply(in: rec.diagnostic) == nil)
        {
            // A vendor's fixed sentence decides over the pattern set's text probes only in that vendor's
            // own reports and when no remote reply is quoted (the remote's own words win, as in Sisimai's
            // qmail.pm, which matches its sentences against "Remote host said:" when there is one);
            // elsewhere only where the classifier had no text rule, or where its verdict rests on the
            // stage being unknown (an unknown-user text at no stage is `filtered` only when no report
            // stated a reason: in Sisimai the lhost module's reason is set before Reason/Filtered.pm's
            // test of the empty SMTP command, sisimai/p5-sisimai
            // lib/Sisimai/Reason.pm@21cfb9321ba94f9bc72f2b5a46e2dda70c1d9c45 `get`).
            stated = (
                e.reason, "mail.phrase.\(e.format)", "text contains \"\(e.phrase)\" (\(e.source) report wording)"
            )
        } else {
            stated = nil
        }
        guard let stated, let policy = classifier.set.policy[stated.reason] else { return c }
        var type = policy.type
        if policy.softWhenTemporary, type == .hard, rec.status?.hasPrefix("4.") == true { type = .soft }
        return Classification(
            reason: stated.reason, type: type, fault: policy.fault, action: policy.action, rule: stated.rule,
            evidence: stated.evidence)
    }

    /// `failed` is a bounce; `delayed` a warning; `delivered`, `relayed`, `expanded` success (RFC 3464
    /// 2.3.3). Without an Action, a 2.x.x Status means delivered and anything else a failure.
    static func kind(of r: RecipientReport) -> MailKind {
        switch r.action ?? "" {
        case "failed", "failure", "failed-permanently": return .bounce
        case "delayed": return .delayed
        case "delivered", "relayed", "expanded": return .delivered
        default:
            if let s = r.status, s.hasPrefix("2.") { return .delivered }
            return .bounce
        }
    }

    /// The report as a log line's evidence: Status as `dsn`, Diagnostic-Code as the reply text, the SMTP
    /// command as the stage. A failure with a 4.x.x Status is the end of retrying: an expiry.
    static func evidence(_ r: RecipientReport) -> FailureEvidence {
        let domain = r.recipient.lastIndex(of: "@").map {
            String(r.recipient[r.recipient.index(after: $0)...]).lowercased()
        }
        let temporary = r.status?.hasPrefix("4.") == true
        return FailureEvidence(
            mta: .postfix, status: temporary ? .expired : .bounced, dsn: r.status,
            replyCode: StatusCodes.reply(in: r.diagnostic), enhancedCode: StatusCodes.enhanced(in: r.diagnostic),
            smtpStage: r.smtpCommand.flatMap(SMTPStage.init(rawValue:)),
            diagnostic: hasWords(r.diagnostic) ? r.diagnostic : "",
            remoteHost: r.remoteMTA?.lowercased(), recipientDomain: domain)
    }

    /// True when a diagnostic has a word besides addresses and punctuation. A vendor line that only
    /// repeats the address ("* user@example.org") is no error text: Sisimai's Reason.pm `get` calls a
    /// reason `onhold` only when there is an error message and `undefined` when there is none
    /// (sisimai/p5-sisimai lib/Sisimai/Reason.pm@21cfb9321ba94f9bc72f2b5a46e2dda70c1d9c45).
    static func hasWords(_ s: String) -> Bool {
        s.split(separator: " ").contains { w in
            !w.contains("@") && w.filter(\.isLetter).count >= 2
        }
    }

    /// One JSON object with the fields `bouncetail classify-mail` documents.
    public func json(mail: String) -> String {
        var o = MailJSON()
        o.add("mail", mail)
        o.add("kind", kind.rawValue)
        o.add("format", format)
        o.add("recipient", report?.recipient)
        o.add("type", classification?.type.rawValue)
        o.add("reason", classification?.reason)
        o.add("fault", classification?.fault.rawValue)
        o.add("action", classification?.action.rawValue)
        o.add("dsn", report?.status)
        o.add("dsn_action", report?.action)
        o.add("reply_code", report.flatMap { StatusCodes.reply(in: $0.diagnostic) })
        o.add("smtp_stage", report?.smtpCommand)
        o.add("remote_host", report?.remoteMTA)
        o.add("diagnostic", report.map { $0.diagnostic.isEmpty ? nil : $0.diagnostic } ?? nil)
        o.add("message_id", original.messageID)
        o.add("campaign_uuid", original.campaignUUID)
        o.add("subscriber_uuid", original.subscriberUUID)
        o.add("feedback_type", feedbackType)
        o.add("rule", classification?.rule)
        o.add("evidence", classification?.evidence ?? note)
        return o.text
    }
}

/// A JSON object built field by field, in insertion order.
struct MailJSON {
    private var out = "{"

    var text: String { out + "}" }

    mutating func add(_ key: String, _ value: String?) {
        sep(key)
        if let value { JSONFields.quote(value, into: &out) } else { out += "null" }
    }

    mutating func add(_ key: String, _ value: Int?) {
        sep(key)
        out += value.map(String.init) ?? "null"
    }

    private mutating func sep(_ key: String) {
        if out.count > 1 { out += "," }
        JSONFields.quote(key, into: &out)
        out += ":"
    }
}
