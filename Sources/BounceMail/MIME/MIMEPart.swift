/// One MIME entity: its header fields, its raw (still transfer-encoded) body, and what it contains:
/// the parts of a multipart, or the message inside a `message/rfc822` / `message/global` part
/// (`text/rfc822-headers` and `message/global-headers` give a message with headers only).
public struct MIMEPart: Sendable {
    public var headers: MailHeaders
    public var contentType: ContentType
    /// The body as it is in the message (transfer encoding not undone).
    public var rawBody: ArraySlice<UInt8>
    public var parts: [MIMEPart] = []
    /// The enclosed message of a `message/*` part (boxed: a struct cannot hold itself).
    public var enclosed: [MIMEPart] = []

    public var transferEncoding: String {
        (headers.raw("content-transfer-encoding") ?? "").lowercased().trimmingCharacters(in: " \t\"")
    }

    /// The body with the transfer encoding undone.
    public var decodedBody: [UInt8] {
        switch transferEncoding {
        case "base64": return TransferEncoding.base64(rawBody)
        case "quoted-printable": return TransferEncoding.quotedPrintable(rawBody)
        default: return Array(rawBody)
        }
    }

    /// The decoded body as text in its charset.
    public var text: String { Charsets.decode(decodedBody, charset: contentType.charset) }

    /// This part and every part below it, depth first, in message order (enclosed messages included).
    public var allParts: [MIMEPart] {
        var out: [MIMEPart] = [self]
        for p in parts { out += p.allParts }
        for m in enclosed { out += m.allParts }
        return out
    }
}

/// Splits a message into its MIME tree within ``MailLimits``.
struct MIMEParser {
    let limits: MailLimits
    var partCount = 0

    init(limits: MailLimits) { self.limits = limits }

    mutating func parse(_ bytes: ArraySlice<UInt8>, depth: Int, headersOnly: Bool = false) throws -> MIMEPart {
        partCount += 1
        if partCount > limits.maxParts { throw MailReadError.tooManyParts(limit: limits.maxParts) }
        let (headerBlock, body) = headersOnly ? (bytes, bytes[bytes.endIndex...]) : Self.splitHeaders(bytes)
        let headers = MailHeaders(block: headerBlock)
        let type = ContentType(headers.raw("content-type"))
        var part = MIMEPart(headers: headers, contentType: type, rawBody: body)
        if headersOnly { return part }
        if type.isMultipart, let boundary = type.boundary, !boundary.isEmpty {
            if depth >= limits.maxDepth { throw MailReadError.tooDeep(limit: limits.maxDepth) }
            var children = Self.split(body, boundary: Array(boundary.utf8))
            if children.isEmpty, let found = Self.guessBoundary(body) {
                // The declared boundary never occurs (a broken or rewritten header): use the delimiter
                // the body actually has, as readers that scan the flat text (Sisimai) effectively do.
                children = Self.split(body, boundary: found)
            }
            for child in children {
                part.parts.append(try parse(child, depth: depth + 1))
            }
        } else if Self.enclosesMessage(type.mimeType) {
            if depth >= limits.maxDepth { throw MailReadError.tooDeep(limit: limits.maxDepth) }
            let inner =
                part.transferEncoding == "base64" || part.transferEncoding == "quoted-printable"
                ? part.decodedBody[...] : body
            let onlyHeaders = type.mimeType == "text/rfc822-headers" || type.mimeType == "message/global-headers"
            part.enclosed = [try parse(Self.dropLeadingBlankLines(inner), depth: depth + 1, headersOnly: onlyHeaders)]
        }
        return part
    }

    /// The first `--token` line whose token recurs as a delimiter later in the body.
    static func guessBoundary(_ body: ArraySlice<UInt8>) -> [UInt8]? {
        var seen: [[UInt8]: Int] = [:]
        var order: [[UInt8]] = []
        for line in Lines(body) where line.count > 3 && line.starts(with: [0x2D, 0x2D]) {
            var token = Array(line.dropFirst(2))
            while let l = token.last, l == 0x20 || l == 0x09 { token.removeLast() }
            if token.count > 2, token.suffix(2) == [0x2D, 0x2D] { token.removeLast(2) }
            guard !token.isEmpty, !token.contains(0x20) else { continue }
            if seen[token] == nil { order.append(token) }
            seen[token, default: 0] += 1
        }
        return order.first { seen[$0]! >= 2 }
    }

    static func enclosesMessage(_ t: String) -> Bool {
        t == "message/rfc822" || t == "message/global" || t == "text/rfc822-headers"
            || t == "message/global-headers" || t == "message/partial-rfc822"
    }

    static func dropLeadingBlankLines(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = b
        while let c = s.first, c == 0x0A || c == 0x0D || c == 0x20 || c == 0x09 { s = s.dropFirst() }
        return s
    }

    /// Header block and body: split at the first empty line (LF LF or CRLF CRLF).
    static func splitHeaders(_ b: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        var i = b.startIndex
        // A message that starts with an empty line has no header fields.
        if i < b.endIndex, b[i] == 0x0A { return (b[i..<i], b[(i + 1)...]) }
        if i + 1 < b.endIndex, b[i] == 0x0D, b[i + 1] == 0x0A { return (b[i..<i], b[(i + 2)...]) }
        while i < b.endIndex {
            guard let nl = b[i...].firstIndex(of: 0x0A) else { break }
            var j = nl + 1
            if j < b.endIndex, b[j] == 0x0D { j += 1 }
            if j < b.endIndex, b[j] == 0x0A { return (b[b.startIndex..<nl], b[(j + 1)...]) }
            if j >= b.endIndex { return (b[b.startIndex..<nl], b[b.endIndex...]) }
            i = nl + 1
        }
        return (b, b[b.endIndex...])
    }

    /// The bodies between `--boundary` lines (RFC 2046 section 5.1.1), preamble and epilogue dropped.
    /// A missing closing delimiter ends the last part at the end of the body.
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        let dash: [UInt8] = [0x2D, 0x2D] + boundary
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var i = body.startIndex
        while i < body.endIndex {
            let lineStart = i
            let nl = body[i...].firstIndex(of: 0x0A) ?? body.endIndex
            i = nl < body.endIndex ? nl + 1 : nl
            let line = body[lineStart..<nl]
            guard line.count >= dash.count, line.starts(with: dash) else { continue }
            let tail = line.dropFirst(dash.count)
            let closing = tail.starts(with: [0x2D, 0x2D])
            let rest = closing ? tail.dropFirst(2) : tail
            guard rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { continue }
            if let s = partStart {
                // The line break before the delimiter belongs to the delimiter.
                var end = lineStart
                if end > s, body[end - 1] == 0x0A { end -= 1 }
                if end > s, body[end - 1] == 0x0D { end -= 1 }
                parts.append(body[s..<end])
            }
            if closing { return parts }
            partStart = i
        }
        if let s = partStart, s < body.endIndex { parts.append(body[s..<body.endIndex]) }
        return parts
    }
}
