/// Google Groups' rejection notices (Sisimai lib/Sisimai/Lhost/GoogleGroups.pm): mail from
/// `<mailer-daemon@googlemail.com>` with "Delivery Status Notification" in the subject and both
/// `X-Failed-Recipients` and `X-Google-Smtp-Source` fields. The failed addresses are the group's, named
/// in `X-Failed-Recipients`. The notice lists four "* " bullet reasons when the group refused the
/// poster (reason `rejected`); other notices say nothing a reason can be read from (`onhold`).
enum GoogleGroups {
    static func read(headers h: MailHeaders, text: ReportText) -> [RecipientReport]? {
        guard (h.value("from") ?? "").lowercased().has("<mailer-daemon@googlemail.com>"),
            (h.value("subject") ?? "").contains("Delivery Status Notification"),
            let failed = h.raw("x-failed-recipients"), h.raw("x-google-smtp-source") != nil
        else { return nil }
        let bullets = text.lines.filter { line in
            let t = line.drop { $0 == " " }
            return t.hasPrefix("*") && line.prefix { $0 == " " }.count <= 1
        }.count
        let paragraphs = text.body.split(separator: "\n\n", omittingEmptySubsequences: true).prefix(4)
        let diagnostic = ReportText.oneLine(paragraphs.joined(separator: " "))
        let reason = bullets == 4 ? "rejected" : "onhold"
        let reports = Addresses.all(in: failed).map {
            RecipientReport(recipient: $0, action: "failed", diagnostic: diagnostic, vendorReason: reason)
        }
        return reports.isEmpty ? nil : reports
    }
}
