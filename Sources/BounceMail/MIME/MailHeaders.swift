/// The header block of a message or MIME part (RFC 5322 section 2.2): folded lines joined, field
/// names compared case-insensitively, values kept raw (``raw(_:)``) or with RFC 2047 encoded words
/// decoded (``value(_:)``).
public struct MailHeaders: Sendable, Hashable {
    /// One field: the name as written and the unfolded raw value (leading blanks removed).
    public struct Field: Sendable, Hashable {
        public var name: String
        public var lowercasedName: String
        public var raw: String
    }

    public private(set) var fields: [Field] = []

    public init(fields: [Field] = []) { self.fields = fields }

    /// Parses a header block (the bytes before the first empty line). Lines that are neither a field
    /// nor a continuation (no colon, e.g. an mbox `From ` line) are skipped.
    public init(block: ArraySlice<UInt8>) {
        var current: (name: String, value: [UInt8])?
        func flush() {
            if let c = current {
                let value = String(decoding: c.value, as: UTF8.self)
                fields.append(Field(name: c.name, lowercasedName: c.name.lowercased(), raw: Self.trim(value)))
            }
            current = nil
        }
        for line in Lines(block) {
            guard let first = line.first else { continue }
            if first == 0x20 || first == 0x09 {
                // RFC 5322 2.2.3: unfolding removes the CRLF, keeps the white space.
                if current != nil { current!.value += line }
                continue
            }
            let colon = line.firstIndex(of: 0x3A)
            let name = colon.map { line[line.startIndex..<$0] } ?? []
            // A field name is printable ASCII without blanks; anything else is not a field.
            let isField = !name.isEmpty && name.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            if !isField, let c = current, c.value.last(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) == 0x3B {
                // A parameter list cut after ";" and continued on an unindented line
                // ("Content-Type: multipart/alternative;" then "boundary=..."), as broken mailers
                // write it: the line is the rest of the field, not a stray line.
                current!.value += [0x20] + line
                continue
            }
            flush()
            guard isField, let colon else { continue }
            current = (String(decoding: name, as: UTF8.self), Array(line[(colon + 1)...]))
        }
        flush()
    }

    /// The first raw value of a field, or nil.
    public func raw(_ name: String) -> String? {
        let n = name.lowercased()
        return fields.first { $0.lowercasedName == n }?.raw
    }

    /// Every raw value of a field, in order.
    public func all(_ name: String) -> [String] {
        let n = name.lowercased()
        return fields.filter { $0.lowercasedName == n }.map(\.raw)
    }

    /// The first value of a field with RFC 2047 encoded words decoded.
    public func value(_ name: String) -> String? {
        raw(name).map(EncodedWords.decode)
    }

    public var isEmpty: Bool { fields.isEmpty }

    static func trim(_ s: String) -> String {
        var v = Substring(s)
        while let c = v.first, c == " " || c == "\t" { v.removeFirst() }
        while let c = v.last, c == " " || c == "\t" || c == "\r" { v.removeLast() }
        return String(v)
    }
}

/// The lines of a byte slice, without their LF or CRLF ends.
struct Lines: Sequence, IteratorProtocol {
    private let bytes: ArraySlice<UInt8>
    private var at: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        at = bytes.startIndex
    }

    mutating func next() -> ArraySlice<UInt8>? {
        guard at < bytes.endIndex else { return nil }
        let start = at
        var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
        at = end < bytes.endIndex ? end + 1 : end
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return bytes[start..<end]
    }
}
