/// The human-readable text of a report, cut where the returned original begins.
struct ReportText {
    /// Everything (LF line ends).
    let full: String
    /// The text before the returned original.
    let body: String
    /// `body`'s lines.
    let lines: [Substring]

    init(_ text: String) {
        full = text
        body = Self.beforeOriginal(text)
        lines = body.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Lines that start the returned original in MTAs' plain-text reports (the "boundaries" of
    /// Sisimai's lhost modules: qmail.pm, Exim.pm, Yahoo.pm, Gmail.pm, GoogleGroups.pm, DragonFly.pm,
    /// IMailServer.pm, X2.pm, X4.pm, OpenSMTPD.pm, Notes.pm, V5sendmail.pm, FML.pm, GMX.pm, EinsUndEins.pm,
    /// MXLogic.pm, mFILTER.pm, X6.pm, MailRu.pm, Office365.pm).
    static let originalMarkers: [String] = [
        "--- below this line is a copy of the message.",
        "------ this is a copy of the message, including all the headers. ------",
        "------ this is a copy of your message, including all the headers. ------",
        "----- original message -----",
        "----- message header follows -----",
        "original message follows.",
        "message headers follow",
        "--- original message follows.",
        "below is a copy of the original message:",
        "------- returned message --------",
        "----- unsent message follows -----",
        "----- no message was collected -----",
        "original mail as follows:",
        "--- the header of the original message is following. ---",
        "included is a copy of the message header:",
        "-------original message",
        "-------original mail info",
        "the attachment contains the original mail headers",
        "original message headers:",
        "content-type: message/rfc822",
        "content-type: text/rfc822-headers",
    ]

    static func beforeOriginal(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: " ").lowercased()
            if originalMarkers.contains(where: { t.hasPrefix($0) }) { break }
            out += line
            out += "\n"
        }
        return out
    }

    /// Header-like lines quoted in the text after the report (a pasted original), as header fields.
    static func inlineHeaders(_ text: String) -> MailHeaders {
        var fields: [MailHeaders.Field] = []
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: " ")
            guard let colon = t.firstIndex(of: ":") else { continue }
            let name = t[..<colon].lowercased()
            guard
                ["message-id", "x-listmonk-campaign", "x-listmonk-subscriber", "list-unsubscribe", "to"].contains(name)
            else { continue }
            fields.append(
                .init(name: name, lowercasedName: name, raw: t[t.index(after: colon)...].trimmingCharacters(in: " ")))
        }
        // The report's own To: is the bounce address, not the original's; only take a quoted one.
        return MailHeaders(fields: fields)
    }

    /// Fills what an RFC 3464 report leaves out from the report's text: the SMTP command (Postfix
    /// writes "(in reply to RCPT TO command)" only in its text part), the remote host, and the
    /// diagnostic itself when the Diagnostic-Code field is missing.
    func enrich(_ r: RecipientReport, single: Bool) -> RecipientReport {
        var r = r
        let block = self.block(for: r.recipient) ?? (single ? body : "")
        if r.diagnostic.isEmpty, !block.isEmpty {
            r.diagnostic = Self.oneLine(block)
        }
        // A Sendmail transcript: ">>> RCPT To:<...>" is the command, "<<< 550 ..." the remote's own words,
        // which Sisimai's Sendmail.pm puts before the Diagnostic-Code of a single recipient.
        let sent = lines.last { $0.hasPrefix(">>> ") }
        if single {
            let replies = lines.filter { $0.hasPrefix("<<< ") }.map { $0.dropFirst(4).trimmingCharacters(in: " ") }
            let joined = replies.joined(separator: " ")
            if !joined.isEmpty, !r.diagnostic.has(joined) {
                r.diagnostic = r.diagnostic.isEmpty ? joined : joined + " " + r.diagnostic
            }
        }
        if single, Self.saysLittle(r.diagnostic), let transcript = transcript() {
            // No Diagnostic-Code text: a Sendmail transcript still has the local mailer's words
            // ("mail.local: unknown user: ...").
            r.diagnostic = r.diagnostic.isEmpty ? transcript : r.diagnostic + " " + transcript
        }
        if r.smtpCommand == nil {
            r.smtpCommand =
                (single ? sent.flatMap { SMTPCommand.find(in: String($0)) } : nil) ?? SMTPCommand.find(in: r.diagnostic)
                ?? SMTPCommand.find(in: block)
        }
        if r.remoteMTA == nil, let host = Self.saidHost(in: block) { r.remoteMTA = host }
        if r.status == nil { r.status = StatusCodes.enhanced(in: r.diagnostic) }
        return r
    }

    /// The lines about one recipient: from the line naming it to the next blank line.
    func block(for recipient: String) -> String? {
        let needle = recipient.lowercased()
        guard !needle.isEmpty else { return nil }
        for (i, line) in lines.enumerated() where line.lowercased().has(needle) {
            var out = String(line)
            var j = i + 1
            while j < lines.count, !lines[j].allSatisfy({ $0 == " " }), j - i < 8 {
                out += "\n" + lines[j]
                j += 1
            }
            return out
        }
        return nil
    }

    /// The lines after "----- Transcript of session follows -----" up to the next blank line.
    func transcript() -> String? {
        guard let i = lines.firstIndex(where: { $0.lowercased().has("transcript of session follows") })
        else { return nil }
        var out: [Substring] = []
        for line in lines[(i + 1)...] {
            if line.allSatisfy({ $0 == " " }) { if out.isEmpty { continue } else { break } }
            out.append(line)
        }
        return out.isEmpty ? nil : Self.oneLine(out.joined(separator: "\n"))
    }

    /// True when a diagnostic has fewer than three words of letters (only codes and an address).
    static func saysLittle(_ s: String) -> Bool {
        s.split(separator: " ").filter { w in w.count > 1 && w.allSatisfy { $0.isLetter } }.count < 3
    }

    /// `host mx.example.org[192.0.2.1] said:` → `mx.example.org`.
    static func saidHost(in s: String) -> String? {
        guard let r = s.firstRange(of: "host ") else { return nil }
        let rest = s[r.upperBound...]
        let name = rest.prefix { !($0 == "[" || $0 == " " || $0 == ":" || $0 == "\n") }
        guard name.contains("."), rest.dropFirst(name.count).first == "[" else { return nil }
        return String(name).lowercased()
    }

    /// Lines joined with single blanks.
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: { $0 == "\n" || $0 == " " }).joined(separator: " ")
    }
}

/// The SMTP command a failure happened after, from the wording around it (Sisimai's
/// SMTP/Command.pm picks the last command named in the text; Postfix writes "in reply to RCPT TO
/// command", Exim "after RCPT TO:<...>", Sendmail ">>> RCPT To:<...>").
public enum SMTPCommand {
    public static func find(in s: String) -> String? {
        guard s.utf8.count > 3 else { return nil }
        var best: (Int, String)?
        func consider(_ token: String, _ command: String) {
            var from = s.startIndex
            while let r = s[from...].firstRange(of: token) {
                let at = s.utf8.distance(from: s.startIndex, to: r.lowerBound)
                if best == nil || at >= best!.0 { best = (at, command) }
                from = r.upperBound
            }
        }
        consider("HELO", "EHLO")
        consider("EHLO", "EHLO")
        consider("MAIL F", "MAIL")
        consider("MAIL FROM", "MAIL")
        consider("RCPT", "RCPT")
        consider("DATA", "DATA")
        consider("end of data", "DATA")
        consider("initial connection", "CONN")
        consider("greeting", "CONN")
        return best?.1
    }
}
