/// RFC 3464 `message/delivery-status` content: one per-message group, then one group per recipient.
/// Read leniently: groups may lack the blank line between them (a new `Final-Recipient` starts a new
/// recipient), values may be folded, and `Diagnostic-Code` may lack its type.
public enum DeliveryStatusFields {
    /// Per-message fields that apply to every recipient.
    public struct PerMessage: Sendable, Hashable {
        public var reportingMTA: String?
        public var queueID: String?
        public var receivedFromMTA: String?
    }

    /// Parses the text of a delivery-status part (or the text of a body that carries the fields inline).
    public static func parse(_ text: String) -> (PerMessage, [RecipientReport]) {
        var perMessage = PerMessage()
        var reports: [RecipientReport] = []
        var current: RecipientReport?
        var pendingOriginal: String?
        var groupHasRecipientFields = false

        func finish() {
            if let c = current, !c.recipient.isEmpty { reports.append(c) }
            current = nil
        }

        for field in unfoldedFields(text) {
            guard let field else {
                // A blank line ends a group.
                if groupHasRecipientFields {
                    finish()
                    groupHasRecipientFields = false
                }
                continue
            }
            let (name, value) = field
            switch name {
            case "reporting-mta":
                perMessage.reportingMTA = typedValue(value)
            case "x-postfix-queue-id", "x-queue-id":
                perMessage.queueID = value
            case "received-from-mta":
                perMessage.receivedFromMTA = typedValue(value)
            case "original-recipient":
                let o = Addresses.first(in: typedValue(value)) ?? typedValue(value)
                if let c = current, !c.recipient.isEmpty, c.action == nil, c.status == nil, c.originalRecipient == nil {
                    // Written after its Final-Recipient.
                    current!.originalRecipient = o
                } else {
                    if let c = current, !c.recipient.isEmpty { finish() }
                    pendingOriginal = o
                }
                groupHasRecipientFields = true
            case "final-recipient":
                if current?.recipient.isEmpty == false { finish() }
                let addr = Addresses.first(in: typedValue(value)) ?? typedValue(value)
                if current == nil { current = RecipientReport(recipient: addr) } else { current!.recipient = addr }
                if let o = pendingOriginal {
                    current!.originalRecipient = o
                    pendingOriginal = nil
                }
                groupHasRecipientFields = true
            case "action":
                ensure(&current)
                current!.action = value.lowercased().split(separator: " ").first.map(String.init)
                groupHasRecipientFields = true
            case "status":
                ensure(&current)
                current!.status = StatusCodes.enhanced(in: value)
                if current!.status == nil, let r = StatusCodes.reply(in: value), current!.diagnostic.isEmpty {
                    // "Status: 553 Exceeded maximum inbound message size" (a non-standard Status).
                    current!.diagnostic = value
                    _ = r
                }
                groupHasRecipientFields = true
            case "diagnostic-code":
                ensure(&current)
                if let semi = value.firstIndex(of: ";"), !value[..<semi].contains(" ") {
                    current!.diagnosticType = value[..<semi].trimmingCharacters(in: " ").lowercased()
                    current!.diagnostic = value[value.index(after: semi)...].trimmingCharacters(in: " ")
                } else {
                    current!.diagnostic = value
                }
                groupHasRecipientFields = true
            case "remote-mta":
                ensure(&current)
                current!.remoteMTA = typedValue(value)
                groupHasRecipientFields = true
            case "x-powermta-bouncecategory":
                // PowerMTA's own classification of the failure (Sisimai PowerMTA.pm).
                ensure(&current)
                current!.vendorReason = Self.powerMTACategories[value.lowercased()]
                groupHasRecipientFields = true
            case "x-actual-recipient", "last-attempt-date", "will-retry-until", "final-log-id":
                groupHasRecipientFields = true
            default:
                continue
            }
        }
        finish()
        if let o = pendingOriginal, reports.isEmpty, Addresses.looksLikeAddress(o) {
            reports.append(RecipientReport(recipient: o, originalRecipient: o))
        }
        for i in reports.indices {
            reports[i].reportingMTA = reports[i].reportingMTA ?? perMessage.reportingMTA
            reports[i].queueID = reports[i].queueID ?? perMessage.queueID
        }
        return (perMessage, reports)
    }

    /// PowerMTA's `X-PowerMTA-BounceCategory` values and the reasons Sisimai's PowerMTA.pm gives them.
    static let powerMTACategories: [String: String] = [
        "bad-domain": "hostunknown", "bad-mailbox": "userunknown", "inactive-mailbox": "suspend",
        "message-expired": "expired", "no-answer-from-host": "networkerror", "policy-related": "policyviolation",
        "quota-issues": "mailboxfull", "routing-errors": "systemerror", "spam-related": "spamdetected",
    ]

    private static func ensure(_ c: inout RecipientReport?) {
        if c == nil { c = RecipientReport(recipient: "") }
    }

    /// `rfc822; user@example.org` → `user@example.org`; `dns; mx.example.org` → `mx.example.org`.
    static func typedValue(_ v: String) -> String {
        if let semi = v.firstIndex(of: ";") {
            return v[v.index(after: semi)...].trimmingCharacters(in: " \t<>")
        }
        return v.trimmingCharacters(in: " \t<>")
    }

    /// Lines joined with their continuations, as (lower-cased name, value); nil for a blank line.
    static func unfoldedFields(_ text: String) -> [(String, String)?] {
        var out: [(String, String)?] = []
        var current: (String, String)?
        // "\r\n" is one Character in Swift: without CR removed, splitting at "\n" would not split at all.
        for rawLine in text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            if line.last == "\r" { line.removeLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if let c = current { out.append(c) }
                current = nil
                out.append(nil)
                continue
            }
            if line.first == " " || line.first == "\t" {
                if current != nil {
                    current!.1 += " " + line.trimmingCharacters(in: " \t")
                }
                continue
            }
            if let c = current { out.append(c) }
            current = nil
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            guard !name.isEmpty, !name.contains(" ") else { continue }
            current = (name.lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: " \t"))
        }
        if let c = current { out.append(c) }
        return out
    }
}
