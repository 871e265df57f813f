import Foundation

/// Amazon SES notifications delivered by SNS as mail (Sisimai lib/Sisimai/Lhost/AmazonSES.pm): a body
/// that is one JSON object, the SNS envelope's `Message` or the SES event itself, with
/// `notificationType` `Bounce` (`bounce.bouncedRecipients`), `Complaint`
/// (`complaint.complainedRecipients`, `complaintFeedbackType`) or `Delivery`. SNS folds long lines with
/// a `!` at the end and a blank at the start of the next; the JSON ends at a `--` line.
enum SESNotification {
    struct Result {
        var reports: [RecipientReport]
        var feedback: FeedbackReport?
        var original: OriginalIdentity
    }

    /// SES's transient sub-types that name a reason (AmazonSES.pm's `bouncetype` table).
    static let transientReasons = ["MailboxFull": "mailboxfull", "MessageTooLarge": "mesgtoobig"]

    static func read(headers h: MailHeaders, body: String) -> Result? {
        guard h.raw("x-amz-sns-message-id") != nil, body.drop(while: { $0 == "\n" || $0 == " " }).first == "{"
        else { return nil }
        var json = ""
        var folded = false
        for raw in body.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = Substring(raw)
            if line == "--" { break }
            if folded, line.first == " " { line = line.dropFirst() }
            folded = line.last == "!"
            if folded { line = line.dropLast() }
            json += line
        }
        guard var object = parse(json) else { return nil }
        if let inner = object["Message"] as? String, let o = parse(inner) { object = o }
        guard let type = object["notificationType"] as? String else { return nil }
        let mail = object["mail"] as? [String: Any] ?? [:]
        var original = OriginalIdentity()
        var fields: [MailHeaders.Field] = []
        for header in mail["headers"] as? [[String: Any]] ?? [] {
            if let name = header["name"] as? String, let value = header["value"] as? String {
                fields.append(.init(name: name, lowercasedName: name.lowercased(), raw: value))
            }
        }
        original = OriginalIdentity(headers: MailHeaders(fields: fields))
        if original.messageID == nil, let id = mail["messageId"] as? String { original.messageID = id }
        switch type {
        case "Bounce":
            let b = object["bounce"] as? [String: Any] ?? [:]
            let bounceType = b["bounceType"] as? String ?? ""
            let subType = b["bounceSubType"] as? String ?? ""
            let reports = (b["bouncedRecipients"] as? [[String: Any]] ?? []).compactMap { r -> RecipientReport? in
                guard let address = r["emailAddress"] as? String else { return nil }
                var diagnostic = r["diagnosticCode"] as? String ?? ""
                var kind: String?
                if let semi = diagnostic.firstIndex(of: ";"),
                    diagnostic.distance(from: diagnostic.startIndex, to: semi) > 3
                {
                    kind = diagnostic[..<semi].lowercased()
                    diagnostic = diagnostic[diagnostic.index(after: semi)...].trimmingCharacters(in: " ")
                }
                return RecipientReport(
                    recipient: address, action: (r["action"] as? String)?.lowercased() ?? "failed",
                    status: (r["status"] as? String).flatMap(StatusCodes.enhanced), diagnosticType: kind,
                    diagnostic: diagnostic,
                    reportingMTA: (b["reportingMTA"] as? String).map(DeliveryStatusFields.typedValue),
                    vendorReason: bounceType == "Transient" ? transientReasons[subType] : nil)
            }
            return Result(reports: reports, feedback: nil, original: original)
        case "Complaint":
            let c = object["complaint"] as? [String: Any] ?? [:]
            let rcpts = (c["complainedRecipients"] as? [[String: Any]] ?? []).compactMap {
                $0["emailAddress"] as? String
            }
            let fb = FeedbackReport(
                feedbackType: (c["complaintFeedbackType"] as? String)?.lowercased() ?? "abuse",
                userAgent: c["userAgent"] as? String, recipients: rcpts)
            let reports = rcpts.map { RecipientReport(recipient: $0, action: "failed", diagnostic: "feedback report") }
            return Result(reports: reports, feedback: fb, original: original)
        case "Delivery":
            let d = object["delivery"] as? [String: Any] ?? [:]
            let reports = (d["recipients"] as? [String] ?? []).map {
                RecipientReport(
                    recipient: $0, action: "delivered",
                    status: (d["smtpResponse"] as? String).flatMap(StatusCodes.enhanced),
                    diagnostic: d["smtpResponse"] as? String ?? "")
            }
            return Result(reports: reports, feedback: nil, original: original)
        default:
            return nil
        }
    }

    static func parse(_ s: String) -> [String: Any]? {
        guard let data = s.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
