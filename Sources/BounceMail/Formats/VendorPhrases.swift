/// Reasons that MTAs' and providers' own report wordings state outright. These are not remote SMTP
/// replies (the pattern set covers those) but the fixed sentences a vendor's report writes around
/// them; each entry names the Sisimai lhost module whose `messagesof` / `errorcodes` table lists it
/// (p5-sisimai 21cfb93, lib/Sisimai/Lhost/<Module>.pm). Matched case-sensitively, as written there.
enum VendorPhrases {
    struct Entry {
        let phrase: String
        let reason: String
        let source: String
        /// Phrases too common to trust in other vendors' reports apply only to their own.
        var onlyInItsOwnReports = false

        /// The `format` name ``VendorText`` gives this vendor's reports.
        var format: String { source.lowercased() }
    }

    static let table: [Entry] = [
        // Exim.pm (also MXLogic.pm, MailRu.pm)
        .init(phrase: "all host address lookups failed permanently", reason: "hostunknown", source: "Exim"),
        .init(phrase: "all relevant MX records point to non-existent hosts", reason: "hostunknown", source: "Exim"),
        .init(phrase: "Unrouteable address", reason: "hostunknown", source: "Exim"),
        .init(phrase: "an MX or SRV record indicated no SMTP service", reason: "notaccept", source: "Exim"),
        .init(phrase: "no host found for existing SMTP connection", reason: "notaccept", source: "Exim"),
        .init(phrase: "angle-brackets nested too deep", reason: "syntaxerror", source: "Exim"),
        .init(phrase: "domain missing in source-routed address", reason: "syntaxerror", source: "Exim"),
        .init(phrase: "malformed address:", reason: "syntaxerror", source: "Exim"),
        .init(phrase: "delivery to file forbidden", reason: "systemerror", source: "Exim"),
        .init(phrase: "delivery to pipe forbidden", reason: "systemerror", source: "Exim"),
        .init(phrase: "local delivery failed", reason: "systemerror", source: "Exim"),
        .init(phrase: "Too many \"Received\" headers", reason: "contenterror", source: "Exim"),
        .init(phrase: "retry timeout exceeded", reason: "expired", source: "MailRu"),
        // qmail.pm, X4.pm
        .init(phrase: "no mailbox here by that name", reason: "userunknown", source: "qmail"),
        .init(phrase: "does not like recipient.", reason: "userunknown", source: "qmail"),
        .init(phrase: "disk quota exceeded", reason: "mailboxfull", source: "qmail"),
        .init(phrase: "Message size exceeds fixed maximum message size:", reason: "mesgtoobig", source: "qmail"),
        .init(phrase: "Sorry, I couldn't find any host ", reason: "hostunknown", source: "qmail"),
        .init(
            phrase: "Requested action not taken: mailbox unavailable (not enough free space)", reason: "systemfull",
            source: "qmail"),
        .init(phrase: "bad interpreter: No such file or directory", reason: "systemerror", source: "qmail"),
        .init(phrase: "Sorry, I couldn't find a mail exchanger or IP address", reason: "notaccept", source: "qmail"),
        .init(phrase: "Sorry, I wasn't able to establish an SMTP connection", reason: "networkerror", source: "qmail"),
        .init(
            phrase: "Sorry. Although I'm listed as a best-preference MX or A for that host", reason: "networkerror",
            source: "qmail"),
        // Gmail.pm
        .init(phrase: "DNS Error: Could not contact DNS servers", reason: "expired", source: "Gmail"),
        .init(phrase: "Delivery to the following recipient has been delayed", reason: "expired", source: "Gmail"),
        .init(
            phrase: "The recipient server did not accept our requests to connect", reason: "expired", source: "Gmail"),
        .init(phrase: "DNS Error: Domain name not found", reason: "hostunknown", source: "Gmail"),
        .init(phrase: "DNS Error: DNS server returned answer with no data", reason: "hostunknown", source: "Gmail"),
        // GSuite.pm
        .init(
            phrase: "because the address couldn't be found. Check for typos or unnecessary spaces and try again.",
            reason: "userunknown", source: "GSuite"),
        .init(phrase: "Null MX", reason: "notaccept", source: "GSuite"),
        .init(phrase: " had no relevant answers.", reason: "networkerror", source: "GSuite"),
        .init(phrase: " responded with code NXDOMAIN", reason: "networkerror", source: "GSuite"),
        // DragonFly.pm
        .init(phrase: "Could not deliver for the last ", reason: "expired", source: "DragonFly"),
        .init(phrase: "DNS lookup failure: host ", reason: "hostunknown", source: "DragonFly"),
        // OpenSMTPD.pm
        .init(phrase: "Envelope expired", reason: "expired", source: "OpenSMTPD"),
        .init(phrase: "Invalid domain name", reason: "hostunknown", source: "OpenSMTPD"),
        .init(phrase: "Domain does not exist", reason: "hostunknown", source: "OpenSMTPD"),
        .init(phrase: "Destination seem to reject all mails", reason: "notaccept", source: "OpenSMTPD"),
        .init(phrase: "No MX found for domain", reason: "notaccept", source: "OpenSMTPD"),
        .init(phrase: "No MX found for destination", reason: "notaccept", source: "OpenSMTPD"),
        .init(phrase: "Address family mismatch on destination MXs", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "All routes to destination blocked", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "bad DNS lookup error code", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "Could not retrieve source address", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "Loop detected", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "Network error on destination MXs", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "No valid route to remote MX", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "No valid route to destination", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "Temporary failure in MX lookup", reason: "networkerror", source: "OpenSMTPD"),
        .init(phrase: "Could not retrieve credentials", reason: "securityerror", source: "OpenSMTPD"),
        // Notes.pm (its own wording comes before Domino.pm's, which lists the same sentence)
        .init(phrase: "User not listed in public Name & Address Book", reason: "userunknown", source: "Notes"),
        // Domino.pm, Notes.pm
        .init(phrase: "not listed in Domino Directory", reason: "userunknown", source: "Domino"),
        .init(phrase: "not listed in public Name & Address Book", reason: "userunknown", source: "Domino"),
        .init(phrase: "no se encuentra en el Directorio de Domino", reason: "userunknown", source: "Domino"),
        .init(phrase: "non répertorié dans l'annuaire Domino", reason: "userunknown", source: "Domino"),
        .init(phrase: "Domino ディレクトリには見つかりません", reason: "userunknown", source: "Domino"),
        .init(phrase: "ディレクトリのリストにありません", reason: "userunknown", source: "Notes"),
        .init(phrase: "Cannot route mail to user", reason: "filtered", source: "Domino"),
        .init(phrase: "Several matches found in Domino Directory", reason: "systemerror", source: "Domino"),
        .init(phrase: "Message has exceeded maximum hop count", reason: "networkerror", source: "Notes"),
        // Aol.pm
        .init(phrase: "Host or domain name not found", reason: "hostunknown", source: "Aol"),
        // IMailServer.pm `refailures`: short phrases, trusted only in iMail's own reports.
        .init(phrase: "Unknown host", reason: "hostunknown", source: "IMailServer", onlyInItsOwnReports: true),
        .init(phrase: "Unknown user", reason: "userunknown", source: "IMailServer", onlyInItsOwnReports: true),
        .init(
            phrase: "Invalid final delivery userid", reason: "userunknown", source: "IMailServer",
            onlyInItsOwnReports: true),
        .init(
            phrase: "User mailbox exceeds allowed size", reason: "mailboxfull", source: "IMailServer",
            onlyInItsOwnReports: true),
        .init(
            phrase: "Requested action not taken: virus detected", reason: "virusdetected", source: "IMailServer",
            onlyInItsOwnReports: true),
        .init(phrase: "Delivery failed ", reason: "expired", source: "IMailServer", onlyInItsOwnReports: true),
        // McAfee.pm
        .init(phrase: " User not exist", reason: "userunknown", source: "McAfee", onlyInItsOwnReports: true),
        .init(phrase: "550 Unknown user ", reason: "userunknown", source: "McAfee", onlyInItsOwnReports: true),
        .init(phrase: "No such user", reason: "userunknown", source: "McAfee", onlyInItsOwnReports: true),
        // Exim.pm, MXLogic.pm, MailRu.pm (beside the Exim sentences above)
        .init(phrase: "user not found", reason: "userunknown", source: "Exim", onlyInItsOwnReports: true),
        .init(phrase: "mailbox is full", reason: "mailboxfull", source: "Exim", onlyInItsOwnReports: true),
        .init(phrase: "error: quota exceed", reason: "mailboxfull", source: "Exim", onlyInItsOwnReports: true),
        .init(phrase: "expected word or \"<\"", reason: "syntaxerror", source: "Exim"),
        .init(phrase: "LMTP error after ", reason: "systemerror", source: "Exim", onlyInItsOwnReports: true),
        // GMX.pm
        .init(phrase: "delivery retry timeout exceeded", reason: "expired", source: "GMX"),
        // Courier.pm, Outlook.pm, KDDI.pm, Biglobe.pm, ReceivingSES.pm, EinsUndEins.pm, AmazonSES.pm
        .init(phrase: "type=MX: Malformed or unexpected name server reply", reason: "notaccept", source: "Aol"),
        .init(phrase: "No such domain.", reason: "hostunknown", source: "Courier"),
        .init(phrase: "This domain's DNS violates RFC 1035.", reason: "systemerror", source: "Courier"),
        .init(phrase: "DNS lookup failed.", reason: "networkerror", source: "Courier"),
        .init(
            phrase: "The mail could not be delivered to the recipient because the domain is not reachable",
            reason: "hostunknown", source: "Outlook"),
        .init(phrase: "As their mailbox is full", reason: "mailboxfull", source: "KDDI"),
        .init(phrase: "Due to the following SMTP relay error", reason: "norelaying", source: "KDDI"),
        .init(phrase: "As the remote domain doesnt exist", reason: "hostunknown", source: "KDDI"),
        .init(phrase: "Mail Delivery Failed... User unknown", reason: "filtered", source: "Biglobe"),
        .init(
            phrase: "The number of messages in recipient's mailbox exceeded the local limit.", reason: "mailboxfull",
            source: "Biglobe"),
        .init(phrase: "Mail size limit exceeded", reason: "mesgtoobig", source: "EinsUndEins"),
        .init(phrase: "Delivery expired", reason: "expired", source: "AmazonSES"),
        // MessageLabs.pm: short phrases, trusted only in MessageLabs' own reports.
        .init(phrase: "542 ", reason: "userunknown", source: "MessageLabs", onlyInItsOwnReports: true),
        .init(phrase: " Rejected", reason: "userunknown", source: "MessageLabs", onlyInItsOwnReports: true),
        .init(phrase: "No such user", reason: "userunknown", source: "MessageLabs", onlyInItsOwnReports: true),
        .init(
            phrase: "Please turn on SMTP Authentication in your mail client", reason: "securityerror",
            source: "MessageLabs"),
        // Amavis.pm
        .init(phrase: " - message size exceeds recipient", reason: "exceedlimit", source: "Amavis"),
        .init(phrase: " - temporary mta failure on relaying", reason: "systemerror", source: "Amavis"),
        .init(phrase: " - rejected by next-hop mta on relaying", reason: "systemerror", source: "Amavis"),
        .init(phrase: " - unable to relay message back to mta", reason: "systemerror", source: "Amavis"),
    ]

    /// The first entry whose phrase the text contains, among those that apply to a report of `format`:
    /// the report's own vendor's entries first (Notes.pm and Domino.pm list one sentence each).
    static func match(_ text: String, format: String) -> Entry? {
        table.first { $0.format == format && text.has($0.phrase) }
            ?? table.first { !$0.onlyInItsOwnReports && text.has($0.phrase) }
    }
}
