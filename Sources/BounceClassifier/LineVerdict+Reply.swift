import BounceCore

extension LineVerdict {
    /// A remote server's bare SMTP reply (`550 5.1.1 <a@b.example>: User unknown`), classified as the
    /// answer to a delivery: bounced for a 5xx code, deferred for a 4xx. Nil when `text` does not start
    /// with a 4xx or 5xx code followed by a space, a hyphen or its end.
    public init?(smtpReply text: String, classifier: Classifier) {
        let bytes = Array(text.utf8.drop { $0 == 0x20 || $0 == 0x09 })
        guard bytes.count >= 3, bytes[0] == UInt8(ascii: "4") || bytes[0] == UInt8(ascii: "5"),
            bytes[1...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            bytes.count == 3 || bytes[3] == 0x20 || bytes[3] == UInt8(ascii: "-")
        else { return nil }
        let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) ?? 0
        let diagnostic = String(decoding: bytes, as: UTF8.self)
        let status: DeliveryStatus = code >= 500 ? .bounced : .deferred
        let enhanced = Self.enhancedCode(in: diagnostic, codeClass: bytes[0])
        kind = .other
        self.status = status
        replyCode = code
        dsn = enhanced
        isBareReply = true
        classification = classifier.classify(
            FailureEvidence(
                mta: .postfix, status: status, dsn: enhanced, replyCode: code, enhancedCode: enhanced,
                diagnostic: diagnostic))
    }

    /// The first `X.Y.Z` enhanced status code whose class matches the reply's first digit.
    static func enhancedCode(in text: String, codeClass first: UInt8) -> String? {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "," }) {
            let parts = word.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].utf8.first == first, parts[0].count == 1,
                parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) })
            else { continue }
            return String(word)
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
