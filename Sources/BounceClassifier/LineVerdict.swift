import BounceCore

/// What `bouncetail classify` says about one parsed log line: the delivery fields and, for a failure
/// (bounced, deferred or expired), the classification.
public struct LineVerdict: Sendable, Hashable {
    public var kind: RecordKind
    public var status: DeliveryStatus?
    public var recipient: String?
    public var dsn: String?
    public var replyCode: Int?
    public var smtpStage: SMTPStage?
    public var classification: Classification?
    /// True when the input was a bare SMTP reply, not a log line (`kind` is then `smtp_reply` in JSON).
    public var isBareReply = false
    /// The sources the deciding rule cites, joined by ` | ` (nil when no rule decided or it cites none).
    public var source: String?

    /// Classifies `parsed` on its own. Postfix's qmgr `status=expired` line names no recipient and carries
    /// no reply, so it is classified as a bare expiry; lines that are not deliveries get no classification.
    public init(_ parsed: ParsedLine, classifier: Classifier) {
        kind = parsed.record.kind
        switch parsed.record {
        case .delivery(let a):
            status = a.status
            recipient = a.recipient
            dsn = a.dsn
            replyCode = a.replyCode
            smtpStage = a.smtpStage
            if a.status == .bounced || a.status == .deferred || a.status == .expired {
                classification = classifier.classify(FailureEvidence(a))
            }
        case .expired(let mta, _, _, _):
            status = .expired
            classification = classifier.classify(FailureEvidence(mta: mta, status: .expired, diagnostic: ""))
        default:
            break
        }
        if let rule = classification?.rule {
            let cited = classifier.sources(ofRule: rule)
            source = cited.isEmpty ? nil : cited.joined(separator: " | ")
        }
    }

    /// One JSON object, fields in the order of the webhook's `meta`, `null` where a field does not apply.
    public var json: String {
        var o = JSONFields()
        o.add("kind", isBareReply ? "smtp_reply" : kind.rawValue)
        o.add("status", status?.rawValue)
        o.add("recipient", recipient)
        o.add("dsn", dsn)
        o.add("reply_code", replyCode)
        o.add("smtp_stage", smtpStage?.rawValue)
        o.add("reason", classification?.reason)
        o.add("type", classification?.type.rawValue)
        o.add("fault", classification?.fault.rawValue)
        o.add("action", classification?.action.rawValue)
        o.add("rule", classification?.rule)
        o.add("source", source)
        o.add("evidence", classification?.evidence)
        return o.text
    }
}

/// A JSON object built field by field, in insertion order.
public struct JSONFields {
    private var fields: [String] = []

    var text: String { "{" + fields.joined(separator: ",") + "}" }

    mutating func add(_ key: String, _ value: String?) {
        var f = ""
        Self.quote(key, into: &f)
        f += ":"
        if let value { Self.quote(value, into: &f) } else { f += "null" }
        fields.append(f)
    }

    mutating func add(_ key: String, _ value: Int?) {
        var f = ""
        Self.quote(key, into: &f)
        f += ":" + (value.map(String.init) ?? "null")
        fields.append(f)
    }

    /// Appends `s` as a JSON string literal: quotes, backslashes and control characters escaped.
    /// Shared by the mail reader's records, so both commands print strings byte for byte alike.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
