/// Reads one mail into a ``MailReport``: the MIME tree within ``MailLimits``, then the first reading
/// that recognises it, in Sisimai's order (lib/Sisimai/Message.pm `sift`): vendor and standard
/// delivery reports, RFC 3464 fields, ARF, and last RFC 3834 automatic replies.
public enum MailReader {
    public static func read(_ bytes: [UInt8], limits: MailLimits = MailLimits()) throws -> MailReport {
        if bytes.count > limits.maxBytes { throw MailReadError.tooLarge(bytes: bytes.count, limit: limits.maxBytes) }
        var parser = MIMEParser(limits: limits)
        let root = try parser.parse(Self.dropMboxLine(bytes[...]), depth: 0)
        if root.headers.isEmpty { throw MailReadError.empty }
        let mail = MailView(root: root)
        return MailInterpreter(mail).report()
    }

    /// An mbox `From sender date` line before the header fields is not a field.
    static func dropMboxLine(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard b.starts(with: Array("From ".utf8)), let nl = b.firstIndex(of: 0x0A) else { return b }
        return b[(nl + 1)...]
    }
}

/// The parts of a mail a reading needs, computed once.
struct MailView {
    let root: MIMEPart
    var headers: MailHeaders { root.headers }
    /// Parts outside any enclosed (returned) message, depth first.
    let reportParts: [MIMEPart]
    /// The enclosed messages (message/rfc822, text/rfc822-headers, ...), outermost first.
    let enclosed: [MIMEPart]
    /// The human-readable text of the report: its text parts (HTML reduced to text), in order, with
    /// LF line ends and tabs as blanks.
    let text: String

    init(root: MIMEPart) {
        self.root = root
        var parts: [MIMEPart] = []
        var enclosed: [MIMEPart] = []
        func walk(_ p: MIMEPart) {
            parts.append(p)
            for c in p.parts { walk(c) }
            enclosed += p.enclosed
        }
        walk(root)
        reportParts = parts
        self.enclosed = enclosed
        var text = ""
        for p in parts where p.parts.isEmpty && p.enclosed.isEmpty {
            let t = p.contentType.mimeType
            if t == "text/html" {
                text += HTMLText.plain(p.text) + "\n"
            } else if t.hasPrefix("text/") || t == "message/delivery-status" || t == "message/global-delivery-status"
                || t.hasPrefix("message/x") || t.hasPrefix("multipart/")
            {
                // A multipart with no delimiter in its body (stripped or never written) is read as text.
                text += p.text + "\n"
            }
        }
        // The report's own wording uses CR LF or LF; readers below split on LF.
        self.text = text.replacingCRLF().replacingTabs()
    }

    /// The first part of a MIME type among the report's parts.
    func part(_ mimeType: String) -> MIMEPart? {
        reportParts.first { $0.contentType.mimeType == mimeType }
    }
}

extension String {
    func replacingCRLF() -> String {
        guard contains("\r") else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.filter { $0 != "\r" }))
    }

    func replacingTabs() -> String {
        guard contains("\t") else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\t" ? " " : $0 }))
    }
}

/// HTML to the words a reader sees: tags dropped (block tags become line breaks), entities for the
/// characters bounce pages use decoded.
enum HTMLText {
    static func plain(_ html: String) -> String {
        var out = ""
        var tag = ""
        var inTag = false
        for c in html {
            if inTag {
                if c == ">" {
                    inTag = false
                    let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first ?? ""
                    if ["br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "td"].contains(String(name)) {
                        out += "\n"
                    }
                    tag = ""
                } else {
                    tag.append(c)
                }
            } else if c == "<" {
                inTag = true
            } else {
                out.append(c)
            }
        }
        return out.replacing("&nbsp;", with: " ").replacing("&lt;", with: "<")
            .replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&#39;", with: "'").replacing("&amp;", with: "&")
    }
}
