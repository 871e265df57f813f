/// A `Content-Type` value (RFC 2045 section 5.1): the lower-cased `type/subtype` and its parameters
/// (names lower-cased, values unquoted; RFC 2231 continuations `name*0*=` joined).
public struct ContentType: Sendable, Hashable {
    public var mimeType: String
    public var parameters: [String: String]

    public init(mimeType: String, parameters: [String: String] = [:]) {
        self.mimeType = mimeType
        self.parameters = parameters
    }

    /// `text/plain` when the field is missing or unreadable (RFC 2045 section 5.2).
    public static let defaultText = ContentType(mimeType: "text/plain")

    public init(_ raw: String?) {
        guard let raw, !raw.isEmpty else {
            self = .defaultText
            return
        }
        let pieces = Self.splitParameters(raw)
        let type = pieces.first.map { $0.trimmingCharacters(in: " \t").lowercased() } ?? ""
        mimeType = type.contains("/") ? type : "text/plain"
        var params: [String: String] = [:]
        var continued: [String: [(Int, String)]] = [:]
        for p in pieces.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            var name = p[..<eq].trimmingCharacters(in: " \t").lowercased()
            var value = p[p.index(after: eq)...].trimmingCharacters(in: " \t")
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacing("\\\"", with: "\"")
            }
            var extended = false
            if name.hasSuffix("*") {
                name.removeLast()
                extended = true
            }
            if let star = name.lastIndex(of: "*"), let n = Int(name[name.index(after: star)...]) {
                continued[String(name[..<star]), default: []].append((n, extended ? Self.percentDecoded(value) : value))
                continue
            }
            params[name] = extended ? Self.percentDecoded(value) : value
        }
        for (name, parts) in continued where params[name] == nil {
            params[name] = parts.sorted { $0.0 < $1.0 }.map(\.1).joined()
        }
        parameters = params
    }

    public var isMultipart: Bool { mimeType.hasPrefix("multipart/") }
    public var charset: String? { parameters["charset"] }
    public var boundary: String? { parameters["boundary"] }

    /// Splits at semicolons outside double quotes.
    static func splitParameters(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        var escaped = false
        for c in s {
            if escaped {
                cur.append(c)
                escaped = false
                continue
            }
            if c == "\\" && quoted {
                escaped = true
                cur.append(c)
                continue
            }
            if c == "\"" { quoted.toggle() }
            if c == ";" && !quoted {
                out.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
        }
        out.append(cur)
        return out
    }

    /// RFC 2231 `charset'lang'%XX` values: the charset prefix dropped, %XX decoded as UTF-8 bytes.
    static func percentDecoded(_ v: String) -> String {
        var s = Substring(v)
        if let first = s.firstIndex(of: "'"), let second = s[s.index(after: first)...].firstIndex(of: "'") {
            s = s[s.index(after: second)...]
        }
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%"), it.count >= 2,
                let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
