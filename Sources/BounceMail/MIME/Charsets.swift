#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text in a named charset to a Swift string: UTF-8, US-ASCII and ISO-8859-1 directly, everything else
/// through the C library's iconv (glibc knows ISO-2022-JP, Shift_JIS, EUC-KR, GB2312, KOI8-R, the
/// Windows code pages, ...). Unknown charsets and undecodable bytes never fail: the bytes are read as
/// UTF-8 with replacement characters, so nothing is lost for matching purposes.
public enum Charsets {
    public static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let name = (charset ?? "").trimmingQuotes.lowercased()
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "8bit", "7bit":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "iso8859-1":
            return latin1(bytes)
        default:
            if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) {
                // Plain ASCII needs no conversion (ISO-2022-* escape sequences start with ESC).
                return String(decoding: bytes, as: UTF8.self)
            }
            return iconvDecode(bytes, from: name) ?? String(decoding: bytes, as: UTF8.self)
        }
    }

    static func latin1(_ bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    static func iconvDecode(_ bytes: [UInt8], from charset: String) -> String? {
        let cd = iconv_open("UTF-8//IGNORE", charset)
        // iconv_open returns (iconv_t)-1 on an unknown charset.
        guard let cd, Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let written: Int = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                while inLeft > 0 {
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    if r != -1 { break }
                    // An invalid or incomplete sequence: skip one byte and go on.
                    if errno == EILSEQ || errno == EINVAL, inLeft > 0 {
                        inPtr = inPtr! + 1
                        inLeft -= 1
                        continue
                    }
                    break
                }
                return outBuf.count - outLeft
            }
        }
        return String(decoding: output[0..<written], as: UTF8.self)
    }
}

extension String {
    var trimmingQuotes: String {
        var s = Substring(self)
        while let c = s.first, c == "\"" || c == "'" || c == " " { s.removeFirst() }
        while let c = s.last, c == "\"" || c == "'" || c == " " { s.removeLast() }
        return String(s)
    }
}
