/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values.
public enum EncodedWords {
    /// Decodes every encoded word; white space between two adjacent encoded words is dropped
    /// (RFC 2047 section 6.2). A malformed word is left as written.
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasWord = false
        while let start = rest.firstRange(of: "=?") {
            let before = rest[rest.startIndex..<start.lowerBound]
            guard let word = parseWord(rest[start.lowerBound...]) else {
                out += pendingSpace + before + "=?"
                pendingSpace = ""
                lastWasWord = false
                rest = rest[start.upperBound...]
                continue
            }
            if lastWasWord && before.allSatisfy({ $0 == " " || $0 == "\t" }) {
                // Adjacent encoded words: the blanks between them are not part of the text.
            } else {
                out += pendingSpace + before
            }
            pendingSpace = ""
            out += word.text
            lastWasWord = true
            rest = rest[word.end...]
        }
        out += pendingSpace + rest
        return out
    }

    /// One encoded word at the start of `s`: its decoded text and where it ends.
    static func parseWord(_ s: Substring) -> (text: String, end: Substring.Index)? {
        let parts = s.dropFirst(2)
        guard let q1 = parts.firstIndex(of: "?") else { return nil }
        var charset = String(parts[parts.startIndex..<q1])
        // RFC 2231 section 5: a language suffix after '*'.
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let afterCharset = parts[parts.index(after: q1)...]
        guard let q2 = afterCharset.firstIndex(of: "?") else { return nil }
        let enc = afterCharset[afterCharset.startIndex..<q2].uppercased()
        let payload = afterCharset[afterCharset.index(after: q2)...]
        guard let endMark = payload.firstRange(of: "?=") else { return nil }
        let text = payload[payload.startIndex..<endMark.lowerBound]
        guard !text.contains(" ") else { return nil }
        let bytes: [UInt8]
        switch enc {
        case "B": bytes = TransferEncoding.base64(Array(text.utf8)[...])
        case "Q": bytes = TransferEncoding.quotedPrintable(Array(text.utf8)[...], underscoreIsSpace: true)
        default: return nil
        }
        return (Charsets.decode(bytes, charset: charset), endMark.upperBound)
    }
}
