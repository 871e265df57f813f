/// Finding e-mail addresses in free text (vendor bounces name the recipient in many ways:
/// `<user@example.org>`, `user@example.org:`, `"user@example.org"`, `RCPT TO:<user@example.org>`).
public enum Addresses {
    /// The first address in `s`, lower-case domain kept as written, brackets and quotes removed.
    public static func first(in s: String) -> String? {
        all(in: s).first
    }

    /// Every address in `s`, in order.
    public static func all(in s: String) -> [String] {
        var out: [String] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            guard u[i] == UInt8(ascii: "@") else {
                i += 1
                continue
            }
            var a = i
            while a > 0, isLocal(u[a - 1]) { a -= 1 }
            var b = i + 1
            while b < u.count, isDomain(u[b]) { b += 1 }
            // Trailing dots and hyphens are punctuation, not part of the domain.
            while b > i + 1, u[b - 1] == UInt8(ascii: ".") || u[b - 1] == UInt8(ascii: "-") { b -= 1 }
            // A local part does not start with a dot.
            while a < i, u[a] == UInt8(ascii: ".") { a += 1 }
            if a < i, b > i + 1, u[(i + 1)..<b].contains(UInt8(ascii: ".")) || isBracketed(u, a, b) {
                out.append(String(decoding: u[a..<b], as: UTF8.self))
            }
            i = max(b, i + 1)
        }
        return out
    }

    /// True when `s` is one plausible address (local@domain.tld).
    public static func looksLikeAddress(_ s: String) -> Bool {
        guard let at = s.lastIndex(of: "@") else { return false }
        let local = s[..<at]
        let domain = s[s.index(after: at)...]
        return !local.isEmpty && domain.contains(".") && !s.contains(" ")
    }

    private static func isBracketed(_ u: [UInt8], _ a: Int, _ b: Int) -> Bool {
        a > 0 && b < u.count && u[a - 1] == UInt8(ascii: "<") && u[b] == UInt8(ascii: ">")
    }

    private static func isLocal(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="),
            UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "^"),
            UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default: return c >= 0x80
        }
    }

    private static func isDomain(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"): return true
        default: return c >= 0x80
        }
    }
}

/// SMTP codes in text: enhanced status codes (RFC 3463, `5.1.1`) and three-digit reply codes.
public enum StatusCodes {
    /// The first `class.subject.detail` code (class 2, 4 or 5) standing alone as a token.
    public static func enhanced(in s: String) -> String? {
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "2") || c == UInt8(ascii: "4") || c == UInt8(ascii: "5"),
                i == 0 || !isCodeChar(u[i - 1]), i + 1 < u.count, u[i + 1] == UInt8(ascii: ".")
            {
                var j = i + 2
                var d1 = 0
                while j < u.count, isDigit(u[j]), d1 < 3 {
                    j += 1
                    d1 += 1
                }
                if d1 > 0, j < u.count, u[j] == UInt8(ascii: ".") {
                    var k = j + 1
                    var d2 = 0
                    while k < u.count, isDigit(u[k]), d2 < 3 {
                        k += 1
                        d2 += 1
                    }
                    if d2 > 0,
                        k == u.count || !isCodeChar(u[k])
                            || (u[k] == UInt8(ascii: ".") && (k + 1 == u.count || !isDigit(u[k + 1])))
                    {
                        return String(decoding: u[i..<k], as: UTF8.self)
                    }
                }
            }
            i += 1
        }
        return nil
    }

    /// The first three-digit reply code (2xx, 4xx, 5xx) standing alone at the start of the text or of a
    /// token (followed by a blank, a dash or the end).
    public static func reply(in s: String) -> Int? {
        let u = Array(s.utf8)
        var i = 0
        while i + 2 < u.count {
            let c = u[i]
            if c == UInt8(ascii: "2") || c == UInt8(ascii: "4") || c == UInt8(ascii: "5"),
                i == 0 || u[i - 1] == 0x20 || u[i - 1] == UInt8(ascii: "(") || u[i - 1] == UInt8(ascii: ":")
                    || u[i - 1] == UInt8(ascii: ";") || u[i - 1] == UInt8(ascii: "\""),
                isDigit(u[i + 1]), isDigit(u[i + 2]), u[i + 1] <= UInt8(ascii: "5"),
                i + 3 == u.count || u[i + 3] == 0x20 || u[i + 3] == UInt8(ascii: "-")
            {
                return Int(String(decoding: u[i..<(i + 3)], as: UTF8.self))
            }
            i += 1
        }
        return nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isCodeChar(_ c: UInt8) -> Bool { isDigit(c) || c == UInt8(ascii: ".") }
}
