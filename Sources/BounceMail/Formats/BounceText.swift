/// Bounces written as plain text, with no delivery-status part: qmail's QSBMF, Exim's and old
/// Sendmail's reports, Gmail, Yahoo, Lotus Notes, old Exchange, and vendor gateways. One reader
/// covers their shared shapes (a recipient alone on a line or before a colon, followed by the
/// remote's reply or the vendor's explanation); the vendor is named from its opening phrase, as
/// Sisimai's lhost modules name them (cited in ``VendorText``).
enum BounceText {
    /// Reads recipients and their explanations, or nil when the mail does not look like a bounce.
    static func read(headers h: MailHeaders, text: ReportText, original: OriginalIdentity) -> [RecipientReport]? {
        guard looksLikeBounce(h, text) else { return nil }
        let own = ownAddresses(h)
        let daemon = daemonAddresses(h)
        var reports: [RecipientReport] = []
        var index: [String: Int] = [:]
        var current: Int?
        var previous: Substring = ""
        var blankRun = 0
        for line in readable(text.lines) {
            let t = line.trimmingCharacters(in: " ")
            if t.isEmpty {
                blankRun += 1
                if let c = current, blankRun >= 1, !reports[c].diagnostic.isEmpty { current = nil }
                previous = line
                continue
            }
            blankRun = 0
            let lower = t.lowercased()
            if skipped(lower) {
                previous = line
                continue
            }
            if let (addr, rest) = leadingAddress(t), !daemon.contains(addr.lowercased()) {
                let key = addr.lowercased()
                if let i = index[key] {
                    current = i
                    if !rest.isEmpty { append(&reports[i], rest) }
                } else {
                    reports.append(RecipientReport(recipient: addr, action: "failed", diagnostic: rest))
                    index[key] = reports.count - 1
                    current = reports.count - 1
                }
            } else if let addr = phraseAddress(lower, t, previous: previous), !own.contains(addr.lowercased()),
                index[addr.lowercased()] == nil
            {
                reports.append(RecipientReport(recipient: addr, action: "failed", diagnostic: ""))
                index[addr.lowercased()] = reports.count - 1
                current = reports.count - 1
            } else if let c = current {
                append(&reports[c], t)
            }
            previous = line
        }
        if reports.isEmpty, let failed = h.raw("x-failed-recipients") {
            // Exim names the failed recipients in this header (Exim spec, "Bounce messages").
            for a in Addresses.all(in: failed) {
                reports.append(RecipientReport(recipient: a, action: "failed"))
            }
        }
        guard !reports.isEmpty else { return nil }
        // A single recipient whose own lines say nothing: the explanation is elsewhere in the text, in
        // the vendor's error block when it writes one, else anywhere.
        let block = errorBlock(text.lines)
        let wholeText = block ?? ReportText.oneLine(text.body)
        for i in reports.indices {
            var r = reports[i]
            let mentions = text.lines.filter { $0.lowercased().has(r.recipient.lowercased()) }
            // With an error block, the lines naming the recipient are the original's details
            // ("RCPT TO: user@..."), not a transcript of the failed command.
            let transcript = block != nil ? "" : mentions.map(String.init).joined(separator: " ")
            if reports.count == 1, let block, StatusCodes.reply(in: r.diagnostic) == nil {
                r.diagnostic = block
            } else if reports.count == 1, StatusCodes.enhanced(in: r.diagnostic) == nil,
                StatusCodes.reply(in: r.diagnostic) == nil
            {
                r.diagnostic = r.diagnostic.isEmpty ? wholeText : r.diagnostic + " " + wholeText
            }
            r.diagnostic = ReportText.oneLine(r.diagnostic)
            r.smtpCommand = SMTPCommand.find(in: r.diagnostic) ?? SMTPCommand.find(in: transcript)
            r.status = StatusCodes.enhanced(in: r.diagnostic) ?? StatusCodes.enhanced(in: transcript)
            if r.remoteMTA == nil { r.remoteMTA = ReportText.saidHost(in: r.diagnostic) }
            if isDelay(text.body.lowercased()) { r.action = "delayed" }
            reports[i] = r
        }
        return reports
    }

    /// Error blocks some vendors write around the remote's words, with the line that ends each:
    /// Apache James's notices print "Error message below:", the error, then "Message details:" with
    /// the original's Subject, MAIL FROM and RCPT TO (sisimai/p5-sisimai
    /// lib/Sisimai/Lhost/ApacheJames.pm@21cfb9321ba94f9bc72f2b5a46e2dda70c1d9c45, after James's
    /// AbstractNotify.java), which must not be read as the failed command.
    static let errorBlocks: [(start: String, end: String)] = [("Error message below:", "Message details:")]

    /// The lines of the first error block in the text, one line, or nil.
    static func errorBlock(_ lines: [Substring]) -> String? {
        for (start, end) in errorBlocks {
            guard let i = lines.firstIndex(where: { $0.trimmingCharacters(in: " ") == start }) else { continue }
            let rest = lines[(i + 1)...].prefix { $0.trimmingCharacters(in: " ") != end }
            let block = ReportText.oneLine(rest.joined(separator: "\n"))
            if !block.isEmpty { return start + " " + block }
        }
        return nil
    }

    static func append(_ r: inout RecipientReport, _ s: String) {
        r.diagnostic = r.diagnostic.isEmpty ? s : r.diagnostic + "\n" + s
    }

    /// The sender-side addresses of the report itself (its From, To, Return-Path): never recipients.
    static func ownAddresses(_ h: MailHeaders) -> Set<String> {
        var s: Set<String> = []
        for name in ["from", "to", "return-path", "sender", "reply-to", "delivered-to"] {
            for v in h.all(name) { for a in Addresses.all(in: v) { s.insert(a.lowercased()) } }
        }
        return s
    }

    /// The report's own author (From, Sender, Return-Path): never a recipient, even alone on a line.
    /// The report's To is left out here: test and anonymised mails often send to the failed address.
    static func daemonAddresses(_ h: MailHeaders) -> Set<String> {
        var s: Set<String> = []
        for name in ["from", "sender", "return-path"] {
            for v in h.all(name) { for a in Addresses.all(in: v) { s.insert(a.lowercased()) } }
        }
        return s
    }

    /// Mail from a mailer daemon, with a bounce's subject, or with a known opening phrase. Sisimai's
    /// RFC3464.pm fallback uses the same test: From postmaster@, mailer-daemon@, root@; Return-Path
    /// `<>` or mailer-daemon; subjects with "delivery fail", "delivery report", "failure notice",
    /// "mail delivery", "mail failed", "mail error", "non-delivery", "returned mail",
    /// "undeliverable mail", "warning: ".
    static func looksLikeBounce(_ h: MailHeaders, _ text: ReportText) -> Bool {
        if h.raw("x-failed-recipients") != nil { return true }
        let from = (h.value("from") ?? "").lowercased()
        if [
            "postmaster@", "mailer-daemon@", "mailer-daemon ", "root@", "mail delivery", "mailer daemon",
            "mail delivery subsystem",
        ]
        .contains(where: { from.has($0) }) {
            return true
        }
        let rp = (h.raw("return-path") ?? "").lowercased()
        if rp.has("<>") || rp.has("mailer-daemon") { return true }
        let subject = (h.value("subject") ?? "").lowercased()
        let subjects = [
            "delivery fail", "delivery report", "failure notice", "mail delivery", "mail failed", "mail error",
            "non-delivery", "returned mail", "undeliverable", "warning: ", "undelivered mail", "delivery status",
            "failure delivery", "mail could not be delivered", "delivery notification", "nondeliverable",
            "not delivered", "could not send", "mail system error", "error sending",
        ]
        if subjects.contains(where: { subject.has($0) }) { return true }
        return VendorText.name(headers: h, text: text) != nil
    }

    /// Lines that name addresses but never a failed recipient (headers quoted in the report, sender
    /// lines). From Sisimai's RFC3464.pm fallback ("mail from:", "message-id:", "  from: ").
    static func skipped(_ lower: String) -> Bool {
        let prefixes = [
            "mail from:", "message-id:", "from:", "return-path:", "reply-to:", "sender:", "received:",
            "reporting-mta", "x-", "date:", "subject:", "by ", "for <", "envelope-from",
        ]
        if prefixes.contains(where: { lower.hasPrefix($0) }) { return true }
        // "For further assistance, please contact <support@...>" names a helpdesk, not a recipient
        // (Sisimai's RFC3464.pm stops reading at "for further assistance, please contact ").
        return lower.has("please contact") || lower.has("for further assistance")
            || lower.has("a message sent by")
    }

    /// Sentences after which a report lists its failed recipients (Exim.pm, Activehunter.pm, X6.pm,
    /// Exchange2003.pm): when one is present, addresses before it (the sender's, in "A message sent by
    /// <...>") are not read as recipients.
    static let listStarts = [
        "the following address(es) failed", "address(es) failed:",
        "the address to which the message has not yet been delivered is",
        "the addresses to which the message has not yet been delivered are",
        "----- the following addresses had permanent fatal errors -----",
        "----- the following addresses had delivery problems -----",
        "did not reach the following recipient",
    ]

    /// The lines to read: from the line after a list start (when there is one), else all.
    static func readable(_ lines: [Substring]) -> ArraySlice<Substring> {
        for (i, line) in lines.enumerated() {
            let lower = line.lowercased()
            // The opening line itself may name the recipient ("Did not reach the following recipient: ...").
            if listStarts.contains(where: { lower.has($0) }) { return lines[i...] }
        }
        return lines[...]
    }

    /// A line that begins with an address: `user@example.org`, `<user@example.org>:`,
    /// `"user@example.org"`, `user@example.org: explanation`, `user@example.org ... explanation`.
    static func leadingAddress(_ t: String) -> (String, String)? {
        var s = Substring(t)
        // A transcript line "554 <user@example.org>... Service unavailable" (Sendmail, V5sendmail.pm).
        if s.count > 4, s.prefix(3).allSatisfy(\.isNumber), s.dropFirst(3).first == " ",
            s.dropFirst(4).first == "<"
        {
            s = s.dropFirst(4)
        }
        while let c = s.first,
            c == "<" || c == "\"" || c == "'" || c == "*" || c == "(" || c == "-" || c == ">"
                || c == " "
        {
            s.removeFirst()
        }
        let token = s.prefix { !($0 == " " || $0 == ">" || $0 == "\"" || $0 == "," || $0 == ")") }
        var addr = token
        while let c = addr.last, c == ":" || c == "." || c == ";" { addr.removeLast() }
        guard Addresses.looksLikeAddress(String(addr)), addr.first != "@" else { return nil }
        // The address must start the token: "場合は、<support@...>" is a sentence ending in an address.
        guard let clean = Addresses.first(in: String(addr)), addr.hasPrefix(clean) else { return nil }
        var rest = s.dropFirst(token.count)
        while let c = rest.first, c == ">" || c == "\"" || c == ":" || c == " " || c == "." || c == "," || c == ")" {
            rest.removeFirst()
        }
        return (clean, String(rest))
    }

    /// Phrases that name the recipient in the same line or the line after (Sisimai RFC3464.pm's
    /// fallback list: "address:", "could not be delivered to:", "delivery failed:", "failed recipient:",
    /// "intended recipient:", "recipient:", "rcpt to:", "unknown user:", "undeliverable to", ...).
    static let recipientPhrases = [
        "address:", "addressed to", "could not be delivered to:", "delivered to", "delivery failed:",
        "did not reach the following recipient:", "error-for:", "failed recipient:", "failed to deliver to",
        "intended recipient:", "mailbox is full:", "recipient:", "rcpt to:", "smtp server <",
        "the following recipients returned permanent errors:", "the following addresses had permanent errors",
        "the following message to", "unknown user:", "unable to deliver mail to the following recipient",
        "undeliverable to", "undeliverable address:", "you sent mail to",
        "your message has encountered delivery problems to the following recipients:", "was automatically rejected",
        "was rejected due to", "your message to:", "unable to deliver message to:", "original-recipient:",
        "not be delivered to", "your message to ",
        "delivering your mail to", "error delivering",
        "delivery to the following", "not delivered to", "failed to deliver", "could not deliver",
        "unable to deliver", "the following recipient", "the following address",
    ]

    static func phraseAddress(_ lower: String, _ t: String, previous: Substring) -> String? {
        if lower.has("@"), recipientPhrases.contains(where: { lower.has($0) }),
            !lower.hasPrefix(">>>"), !lower.hasPrefix("<<<")
        {
            return Addresses.first(in: t)
        }
        let p = previous.lowercased()
        if lower.has("@"), !p.isEmpty, recipientPhrases.contains(where: { p.has($0) }),
            !lower.hasPrefix(">>>"), !lower.hasPrefix("<<<")
        {
            return Addresses.first(in: t)
        }
        return nil
    }

    /// Delay warnings (the message is still queued; not a bounce). Exim: "has not yet been delivered";
    /// Sendmail: "Warning: could not send message for past"; Courier: "DELAYS IN DELIVERING YOUR
    /// MESSAGE"; generic "will continue trying"/"will retry".
    static func isDelay(_ lower: String) -> Bool {
        let phrases = [
            "has not yet been delivered", "could not send message for past", "delays in delivering your message",
            "will continue trying", "no action is required on your part", "delivery has been delayed",
            "message delayed", "delivery is delayed", "it will be retried", "will keep trying",
            "still trying to deliver", "not been delivered yet",
        ]
        return phrases.contains { lower.has($0) }
    }
}
