/// The notices of the fml mailing-list manager to a poster it refused (not a member, a loop, a
/// security alert), read as Sisimai's FML.pm reads them (sisimai/p5-sisimai
/// lib/Sisimai/Lhost/FML.pm@21cfb9321ba94f9bc72f2b5a46e2dda70c1d9c45): a mail with an X-MLServer
/// field, From a `-admin@` address and a Message-ID with `.FML` (``VendorHeaders``). Above
/// "Original mail as follows:", a line with an address in angle brackets after some words names a
/// recipient and starts its explanation; the lines after it continue that explanation. The reason is
/// the one the explanation's words state (`errortable`), else the one the Subject's words state
/// (`errortitle`), else left to the classifier.
enum FMLNotice {
    /// Words of the explanation, with the reason each states (FML.pm `errortable`).
    static let explanations: [(String, String)] = [
        (" header may cause mail loop", "rejected"),
        ("NOT MEMBER article from ", "rejected"),
        ("reject mail from ", "rejected"),
        ("reject spammers:", "rejected"),
        ("You are not a member of this mailing list", "rejected"),
        (" has detected a loop condition so that", "systemerror"),
        ("Duplicated Message-ID", "systemerror"),
        ("Loop Back Warning:", "systemerror"),
        ("Security alert:", "securityerror"),
    ]

    /// Words of the Subject, with the reason each states (FML.pm `errortitle`).
    static let titles: [(String, String)] = [
        (" are not member", "rejected"),
        ("NOT MEMBER article from ", "rejected"),
        ("reject mail ", "rejected"),
        ("Spam mail from a spammer is rejected", "rejected"),
        ("fml system error message", "systemerror"),
        ("Loop Alert: ", "systemerror"),
        ("Loop Back Warning: ", "systemerror"),
        ("WARNING: UNIX FROM Loop", "systemerror"),
        ("Security Alert", "securityerror"),
    ]

    static func read(headers h: MailHeaders, text: ReportText) -> [RecipientReport]? {
        guard VendorHeaders.name(h) == "fml" else { return nil }
        var reports: [RecipientReport] = []
        for line in text.lines where !line.isEmpty {
            let t = String(line)
            if let open = t.firstIndex(of: "<"), open != t.startIndex, let close = t.lastIndex(of: ">"),
                open < close
            {
                let inside = String(t[t.index(after: open)..<close])
                reports.append(RecipientReport(recipient: inside, action: "failed", diagnostic: t))
            } else if !reports.isEmpty {
                reports[reports.count - 1].diagnostic += " " + t
            }
        }
        guard !reports.isEmpty else { return nil }
        let subject = h.value("subject") ?? ""
        let byTitle = titles.first { subject.has($0.0) }?.1
        return reports.map { r in
            var r = r
            r.diagnostic = ReportText.oneLine(r.diagnostic)
            r.vendorReason = explanations.first { r.diagnostic.has($0.0) }?.1 ?? byTitle
            r.status = StatusCodes.enhanced(in: r.diagnostic)
            return r
        }
    }
}
