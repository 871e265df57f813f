/// A small, fast writer of compact JSON into a byte buffer.
///
/// Commas are placed automatically; keys and values alternate inside objects. Strings are escaped per
/// RFC 8259 (`"`, `\`, control characters; everything else, including non-ASCII UTF-8, is copied as is).
/// Reuse one writer per output stream: ``reset()`` keeps the buffer's capacity.
///
/// ```swift
/// var w = JSONWriter()
/// w.objectStart(); w.key("kind"); w.value("delivery"); w.key("pid"); w.value(42); w.objectEnd()
/// // w.bytes == #"{"kind":"delivery","pid":42}"#
/// ```
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    /// Whether the next value or key in the current container needs a comma first.
    private var needsComma = false

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { bytes.append(0x2C) }
        needsComma = true
    }

    public mutating func objectStart() {
        separate()
        bytes.append(0x7B)
        needsComma = false
    }

    public mutating func objectEnd() {
        bytes.append(0x7D)
        needsComma = true
    }

    public mutating func arrayStart() {
        separate()
        bytes.append(0x5B)
        needsComma = false
    }

    public mutating func arrayEnd() {
        bytes.append(0x5D)
        needsComma = true
    }

    /// Writes an object key (a literal, not escaped: keys are the program's own snake_case names).
    public mutating func key(_ k: StaticString) {
        separate()
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(0x22)
        bytes.append(0x3A)
        needsComma = false
    }

    /// Writes an object key from a runtime string (escaped).
    public mutating func key(_ k: String) {
        separate()
        Self.appendEscaped(k, to: &bytes)
        bytes.append(0x3A)
        needsComma = false
    }

    public mutating func value(_ s: String) {
        separate()
        Self.appendEscaped(s, to: &bytes)
    }

    public mutating func value(_ i: Int) {
        separate()
        Self.appendInt(Int64(i), to: &bytes)
    }

    public mutating func value(_ i: Int64) {
        separate()
        Self.appendInt(i, to: &bytes)
    }

    public mutating func value(_ b: Bool) {
        separate()
        if b {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    }

    /// Writes the string, or `null`.
    public mutating func value(_ s: String?) {
        if let s { value(s) } else { null() }
    }

    /// Writes the number, or `null`.
    public mutating func value(_ i: Int?) {
        if let i { value(i) } else { null() }
    }

    /// `"key":value` for a string (or `null`).
    public mutating func field(_ k: StaticString, _ v: String?) {
        key(k)
        value(v)
    }

    /// `"key":value` for a number (or `null`).
    public mutating func field(_ k: StaticString, _ v: Int?) {
        key(k)
        value(v)
    }

    public mutating func field(_ k: StaticString, _ v: Bool) {
        key(k)
        value(v)
    }

    /// Appends raw, already valid JSON (e.g. a value produced elsewhere).
    public mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
    }

    /// Appends a newline (between JSON Lines records) and starts a fresh top-level sequence.
    public mutating func newline() {
        bytes.append(0x0A)
        needsComma = false
    }

    /// The written JSON as a String.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `s` as a quoted, escaped JSON string.
    public static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        var copy = s
        copy.withUTF8 { u in
            var runStart = 0
            for i in 0..<u.count {
                let c = u[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
                runStart = i + 1
                out.append(0x5C)
                switch c {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x0A: out.append(0x6E)
                case 0x0D: out.append(0x72)
                case 0x09: out.append(0x74)
                case 0x08: out.append(0x62)
                case 0x0C: out.append(0x66)
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                }
            }
            if runStart < u.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<u.count])) }
        }
        out.append(0x22)
    }

    /// Appends the decimal digits of `v`.
    public static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 {
            out.append(0x30)
            return
        }
        var n = v.magnitude
        if v < 0 { out.append(0x2D) }
        var tmp:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var len = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            while n > 0 {
                buf[len] = UInt8(n % 10) + 0x30
                n /= 10
                len += 1
            }
            var i = len - 1
            while i >= 0 {
                out.append(buf[i])
                i -= 1
            }
        }
    }
}
