/// Names the MTA or provider that wrote a report, from its opening phrases and header fields, as
/// Sisimai's lhost modules recognise them (lib/Sisimai/Lhost/*.pm, the `startingof` / `markingsof`
/// tables and header checks). The name goes in the `format` field; reading is ``BounceText``'s.
enum VendorText {
    static let openings: [(String, String)] = [
        ("hi. this is the qmail", "qmail"),  // qmail.pm
        ("this message was created automatically by mail delivery software", "exim"),  // Exim.pm, MailRu.pm, GMX.pm
        ("----- transcript of session follows -----", "sendmail"),  // Sendmail.pm, V5sendmail.pm
        ("----- the following addresses had permanent fatal errors -----", "sendmail"),  // Activehunter.pm
        ("delivery to the following recipient", "gmail"),  // Gmail.pm
        ("sorry, we were unable to deliver your message", "yahoo"),  // Yahoo.pm
        ("------- failure reasons", "notes"),  // Notes.pm
        ("did not reach the following recipient", "exchange"),  // Exchange2003.pm
        ("this is the mailer-daemon, please do not reply", "opensmtpd"),  // OpenSMTPD.pm
        ("this is the dragonfly mail agent", "dragonfly"),  // DragonFly.pm
        ("hello, this is the mail server on ", "powermta"),  // PowerMTA.pm
        ("this is an automatically generated message from sendgrid", "sendgrid"),  // SendGrid.pm
        ("we had trouble delivering your message. full details follow:", "x6"),  // X6.pm
        ("unable to deliver message to the following address", "x2"),  // X2.pm
        ("your message could not be sent.", "surfcontrol"),  // SurfControl.pm
        ("this report relates to a message you sent with the following header fields:", "messagingserver"),
        ("the following message to <", "amazonses"),  // AmazonSES.pm
        ("an error occurred while trying to deliver the mail ", "amazonses"),
        ("technical report:", "amazonworkmail"),  // AmazonWorkMail.pm
        ("this message could not be delivered.", "receivingses"),  // ReceivingSES.pm
        ("your message to:", "barracuda"),  // Barracuda.pm
        ("unable to deliver message to:", "mailfoundry"),  // MailFoundry.pm
        ("body of message generated response:", "imailserver"),  // IMailServer.pm
        ("original mail as follows:", "fml"),  // FML.pm
        ("-------server message", "mfilter"),  // mFILTER.pm
        ("your mail sent on:", "kddi"),  // KDDI.pm
        ("your mail attempted to be delivered on:", "kddi"),
        ("undeliverable mail", "courier"),  // Courier.pm
        ("delays in delivering your message", "courier"),
        ("error message below:", "apachejames"),  // ApacheJames.pm
        ("the original message was received at ", "sendmail"),  // X1.pm, Sendmail.pm
    ]

    /// The format label of a report already read as one: the vendor its header fields name
    /// (``VendorHeaders``), else the one its wording names.
    static func label(headers h: MailHeaders, text: ReportText) -> String? {
        VendorHeaders.name(h) ?? name(headers: h, text: text)
    }

    static func name(headers h: MailHeaders, text: ReportText) -> String? {
        // MessageLabs.pm: an X-Msg-Ref field and mail from MAILER-DAEMON@messagelabs.com.
        if h.raw("x-msg-ref") != nil, (h.value("from") ?? "").contains("MAILER-DAEMON@messagelabs.com") {
            return "messagelabs"
        }
        let lower = text.body.lowercased()
        for (phrase, name) in openings where lower.has(phrase) { return name }
        if h.raw("x-failed-recipients") != nil { return "exim" }
        if h.raw("x-ses-outgoing") != nil || h.raw("x-aws-outgoing") != nil { return "amazonses" }
        if let m = h.raw("x-mailer")?.lowercased(), m.contains("amazon workmail") { return "amazonworkmail" }
        return nil
    }
}
