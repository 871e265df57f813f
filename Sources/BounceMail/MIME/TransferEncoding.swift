/// Content-Transfer-Encoding decoders (RFC 2045 section 6): base64 and quoted-printable, both
/// lenient (characters outside the alphabet are skipped, a broken escape is kept as written) since
/// bounce mail is often produced by old or broken software.
public enum TransferEncoding {
    private static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        // RFC 4648 section 5 (URL-safe alphabet) is seen in the wild too.
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Decodes base64, ignoring line breaks and anything outside the alphabet; stops at padding.
    public static func base64(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in input {
            if c == UInt8(ascii: "=") {
                // Padding ends a quantum; a new quantum may follow in concatenated encodings.
                acc = 0
                bits = 0
                continue
            }
            let v = base64Table[Int(c)]
            if v == 0xFF { continue }
            acc = (acc << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    /// Decodes quoted-printable; soft line breaks (`=` at the end of a line) are removed.
    public static func quotedPrintable(_ input: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        while i < input.endIndex {
            let c = input[i]
            if c == UInt8(ascii: "=") {
                let n1 = i + 1 < input.endIndex ? input[i + 1] : 0
                let n2 = i + 2 < input.endIndex ? input[i + 2] : 0
                if let h = hex(n1), let l = hex(n2) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                // Soft line break: '=' then optional blanks then CRLF or LF.
                var j = i + 1
                while j < input.endIndex, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j < input.endIndex, input[j] == 0x0D { j += 1 }
                if j < input.endIndex, input[j] == 0x0A {
                    i = j + 1
                    continue
                }
                if j == input.endIndex {
                    i = j
                    continue
                }
                out.append(c)
                i += 1
            } else if underscoreIsSpace && c == UInt8(ascii: "_") {
                out.append(0x20)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
