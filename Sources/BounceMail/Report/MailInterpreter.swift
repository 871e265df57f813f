/// Decides how to read a mail and reads it. The order follows Sisimai (lib/Sisimai/Message.pm): a
/// report's own structure first (an ARF feedback report, RFC 3464 delivery-status fields), then the
/// plain-text wordings of MTAs that send no delivery-status part, and RFC 3834 automatic replies last,
/// since bounce reports carry `Auto-Submitted` too.
struct MailInterpreter {
    let mail: MailView

    init(_ mail: MailView) { self.mail = mail }

    func report() -> MailReport {
        let original = originalIdentity()
        let h = mail.headers
        let text = ReportText(mail.text)
        if let ses = SESNotification.read(headers: h, body: String(decoding: mail.root.decodedBody, as: UTF8.self)),
            !ses.reports.isEmpty
        {
            return MailReport(
                headers: h, format: "amazonses", recipients: ses.reports, feedback: ses.feedback,
                original: ses.original.merged(with: original))
        }
        if let fb = feedback() {
            var rcpts = fb.recipients
            if rcpts.isEmpty,
                let x = mail.enclosed.first?.headers.raw("x-hmxmroriginalrecipient").flatMap(Addresses.first)
            {
                rcpts = [x]
            }
            if rcpts.isEmpty, let to = original.to { rcpts = [to] }
            // A report that names nobody (the original went to "Undisclosed Recipients") is still one
            // complaint; the event needs the original's subscriber UUID to be delivered.
            if rcpts.isEmpty { rcpts = [""] }
            let reports = rcpts.map { RecipientReport(recipient: $0, action: "failed", diagnostic: "feedback report") }
            return MailReport(headers: h, format: "arf", recipients: reports, feedback: fb, original: original)
        }
        var dsnReports: [RecipientReport] = []
        var dsnPerMessage: DeliveryStatusFields.PerMessage?
        for p in mail.reportParts where Self.isDeliveryStatus(p.contentType.mimeType) {
            let (perMessage, reports) = DeliveryStatusFields.parse(p.text)
            dsnPerMessage = dsnPerMessage ?? perMessage
            dsnReports += reports
        }
        if dsnReports.isEmpty, let perMessage = dsnPerMessage, let to = original.to {
            // A delivery-status part with no recipient group (Postfix's "Delivery report unavailable"):
            // the returned original's To is who it was for (Sisimai's RFC3464.pm does the same).
            dsnReports = [
                RecipientReport(
                    recipient: to, action: "failed", reportingMTA: perMessage.reportingMTA, queueID: perMessage.queueID)
            ]
        }
        if dsnReports.isEmpty, dsnPerMessage == nil, let reports = GoogleGroups.read(headers: h, text: text) {
            return MailReport(headers: h, format: "googlegroups", recipients: reports, original: original)
        }
        if dsnReports.isEmpty, dsnPerMessage == nil, let reports = FMLNotice.read(headers: h, text: text) {
            return MailReport(headers: h, format: "fml", recipients: reports, original: original)
        }
        if !dsnReports.isEmpty {
            let enriched = stated(dsnReports.map { text.enrich($0, single: dsnReports.count == 1) }, text)
            return MailReport(
                headers: h, format: VendorText.label(headers: h, text: text) ?? "rfc3464", recipients: enriched,
                original: original)
        }
        // DSN fields written inline in a text part (no message/delivery-status part).
        if text.body.has("Final-Recipient:") || text.body.has("Final-recipient:") {
            let inline = DeliveryStatusFields.parse(text.body).1
            if !inline.isEmpty {
                return MailReport(
                    headers: h, format: VendorText.label(headers: h, text: text) ?? "rfc3464",
                    recipients: stated(inline.map { text.enrich($0, single: inline.count == 1) }, text),
                    original: original)
            }
        }
        // A report in a known vendor's words is read before the auto-reply test: such reports often
        // carry Auto-Submitted or Precedence too.
        let vendor = VendorText.name(headers: h, text: text)
        if vendor != nil, let reports = BounceText.read(headers: h, text: text, original: original) {
            return MailReport(
                headers: h, format: VendorText.label(headers: h, text: text) ?? vendor ?? "text",
                recipients: stated(reports, text),
                original: original)
        }
        if AutoReply.isAutoReply(h) {
            let from = h.value("from").flatMap(Addresses.first) ?? h.value("return-path").flatMap(Addresses.first)
            return MailReport(
                headers: h, format: "rfc3834",
                recipients: from.map { [RecipientReport(recipient: $0, action: "auto-replied")] } ?? [],
                isAutoReply: true, original: original)
        }
        if let reports = BounceText.read(headers: h, text: text, original: original) {
            return MailReport(
                headers: h, format: VendorText.label(headers: h, text: text) ?? "text",
                recipients: stated(reports, text),
                original: original)
        }
        return MailReport(
            headers: h, format: "none", original: original,
            note: "no delivery-status fields, feedback report, known bounce wording or auto-reply marker found")
    }

    /// Failed records with the reason a local delivery agent's own sentence in the report states
    /// (``DeliveryAgentText``), its line added to the diagnostic. As in Sisimai, only in reports no
    /// vendor reader takes (its RFC3464.pm fallback is where MDA.pm is applied).
    func stated(_ reports: [RecipientReport], _ text: ReportText) -> [RecipientReport] {
        guard !VendorHeaders.takenByAVendorReader(mail.headers),
            let found = DeliveryAgentText.find(headers: mail.headers, text: text.body)
        else { return reports }
        return reports.map { r in
            guard MailVerdict.kind(of: r) == .bounce, r.vendorReason == nil else { return r }
            var r = r
            r.vendorReason = found.reason
            r.deliveryAgent = found.agent
            if !r.diagnostic.has(found.line) {
                r.diagnostic = r.diagnostic.isEmpty ? found.line : found.line + " " + r.diagnostic
            }
            return r
        }
    }

    static func isDeliveryStatus(_ t: String) -> Bool {
        t == "message/delivery-status" || t == "message/global-delivery-status" || t == "message/xdelivery-status"
    }

    /// The ARF report, when the mail is one (RFC 5965 section 3: multipart/report with
    /// report-type=feedback-report; Sisimai's ARF.pm also takes Hotmail's and Amazon SES's
    /// "complaint about message from" mails and Apple's `X-Apple-Unsubscribe: true`).
    func feedback() -> FeedbackReport? {
        if let p = mail.part("message/feedback-report") { return FeedbackReport(text: p.text) }
        let ct = (mail.headers.raw("content-type") ?? "").lowercased()
        if ct.has("report-type=feedback-report") || ct.has("report-type=\"feedback-report\"") {
            return FeedbackReport(text: mail.text)
        }
        let subject = (mail.headers.value("subject") ?? "").lowercased()
        let from = (mail.headers.value("from") ?? "").lowercased()
        if subject.has("complaint about message from"),
            from.contains("staff@hotmail.com") || from.contains("complaints@email-abuse.amazonses.com")
        {
            return FeedbackReport(feedbackType: "abuse")
        }
        if mail.headers.raw("x-apple-unsubscribe")?.lowercased() == "true" {
            return FeedbackReport(
                feedbackType: "abuse", recipients: mail.headers.value("to").flatMap(Addresses.first).map { [$0] } ?? [])
        }
        return nil
    }

    /// The returned original's identity: the enclosed message's headers first, then header lines
    /// quoted in the report's text (vendors that paste the original inline), then listmonk's
    /// headers anywhere in the mail (listmonk's own scanner searches the whole message).
    func originalIdentity() -> OriginalIdentity {
        var id = OriginalIdentity()
        for m in mail.enclosed { id = id.merged(with: OriginalIdentity(headers: m.headers)) }
        let inline = ReportText.inlineHeaders(mail.text)
        id = id.merged(with: OriginalIdentity(headers: inline))
        return id
    }
}
