/// Turns a remote text into the form rules are matched against and memoised by.
///
/// Lower-cased ASCII; runs of white space become one space; a token holding an `@` (an address) becomes
/// `@`; a dotted quad becomes `ip`; digit runs of five or more become `#`; and long tokens that mix
/// letters and digits (queue ids, hashes, tracking ids) become `#`. Short numbers stay, so reply codes
/// and enhanced codes in the text (`550`, `5.7.1`, `#5.1.1`) remain visible to rules. Because rules see
/// only this form, two texts that normalise alike always classify alike, which makes the memo exact.
///
/// A text holding any non-ASCII byte is first folded by ``UnicodeFold`` (width, case, accents), the way
/// the loader folds rule literals. Pure-ASCII texts, nearly all of them, never pay for that: the one pass
/// that lower-cases them also notices the first byte above 0x7F and only then starts over on the folded
/// text.
public enum TextNormalizer {
    public static func normalize(_ text: String) -> String {
        if let ascii = scan(text.utf8, stopAtNonASCII: true) { return ascii }
        return scan(UnicodeFold.fold(text).utf8, stopAtNonASCII: false) ?? ""
    }

    /// A rule literal in the form texts take: ASCII lower-cased as ``normalize(_:)`` does, anything else
    /// folded by ``UnicodeFold``. (Token rewriting does not apply: the loader refuses literals it would
    /// change, see `PatternLoader.unmatchable`.)
    public static func foldLiteral(_ literal: String) -> String {
        literal.utf8.contains(where: { $0 >= 0x80 }) ? UnicodeFold.fold(literal) : literal.lowercased()
    }

    /// One pass over the bytes; nil when `stopAtNonASCII` and a byte above 0x7F turns up.
    static func scan(_ bytes: String.UTF8View, stopAtNonASCII: Bool) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var token: [UInt8] = []
        func flush() {
            guard !token.isEmpty else { return }
            if !out.isEmpty { out.append(0x20) }
            out.append(contentsOf: rewrite(token))
            token.removeAll(keepingCapacity: true)
        }
        for c in bytes {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                flush()
            } else if c < 0x80 {
                token.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
            } else {
                if stopAtNonASCII { return nil }
                token.append(c)
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    static func rewrite(_ t: [UInt8]) -> [UInt8] {
        if t.contains(0x40) { return collapseAddresses(t) }
        var out: [UInt8] = []
        var i = 0
        while i < t.count {
            // A dotted quad (IPv4) anywhere in the token.
            if let end = dottedQuadEnd(t, i) {
                out.append(contentsOf: Array("ip".utf8))
                i = end
                continue
            }
            if TextCodes.isDigit(t[i]) {
                var j = i
                while j < t.count, TextCodes.isDigit(t[j]) { j += 1 }
                if j - i >= 5 { out.append(0x23) } else { out.append(contentsOf: t[i..<j]) }
                i = j
                continue
            }
            out.append(t[i])
            i += 1
        }
        return collapseIDs(out)
    }

    /// Replaces each `local@domain` span inside a token with `@`, keeping what surrounds it
    /// (`from:<a@b.example>` becomes `from:<@>`), so rules can still read the words glued to an address.
    static func collapseAddresses(_ t: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < t.count {
            guard let at = t[i...].firstIndex(of: 0x40) else {
                out.append(contentsOf: t[i...])
                break
            }
            var s = at
            while s > i, isAddressChar(t[s - 1]), !endsUnspacedScript(t, before: s) { s -= 1 }
            var e = at + 1
            while e < t.count, isAddressChar(t[e]), !startsUnspacedScript(t, at: e) { e += 1 }
            while e > at + 1, t[e - 1] == 0x2E { e -= 1 }
            out.append(contentsOf: t[i..<s])
            out.append(0x40)
            i = e
        }
        return out
    }

    /// True when a scalar of a script written without spaces (kana, CJK, Hangul, Thai, full-width forms)
    /// starts at byte `i`: an address glued to such text (`user@example.jpは存在しません`) ends there.
    static func startsUnspacedScript(_ t: [UInt8], at i: Int) -> Bool {
        guard t[i] >= 0xC0 else { return false }
        var n = 0
        var v = UInt32(0)
        if t[i] >= 0xF0 {
            n = 3
            v = UInt32(t[i] & 0x07)
        } else if t[i] >= 0xE0 {
            n = 2
            v = UInt32(t[i] & 0x0F)
        } else {
            n = 1
            v = UInt32(t[i] & 0x1F)
        }
        guard i + n < t.count else { return false }
        for k in 1...n { v = (v << 6) | UInt32(t[i + k] & 0x3F) }
        switch v {
        case 0x0E00...0x0E7F, 0x1100...0x11FF, 0x2E80...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7AF, 0xF900...0xFAFF,
            0xFF00...0xFFEF, 0x20000...0x2FFFF:
            return true
        default:
            return false
        }
    }

    /// True when the scalar that ends just before byte `end` is of a script written without spaces.
    static func endsUnspacedScript(_ t: [UInt8], before end: Int) -> Bool {
        guard t[end - 1] >= 0x80 else { return false }
        var start = end - 1
        while start > 0, t[start] & 0xC0 == 0x80, end - start < 4 { start -= 1 }
        return startsUnspacedScript(t, at: start)
    }

    @inline(__always) static func isAddressChar(_ c: UInt8) -> Bool {
        isAlnum(c) || c == 0x2E || c == 0x2D || c == 0x5F || c == 0x2B || c == 0x25 || c == 0x3D || (c >= 0x80)
    }

    /// The end of a dotted quad starting at `i` (not preceded by a digit or dot), or nil.
    static func dottedQuadEnd(_ t: [UInt8], _ i: Int) -> Int? {
        if i > 0, TextCodes.isDigit(t[i - 1]) || t[i - 1] == 0x2E { return nil }
        var j = i
        for part in 0..<4 {
            let s = j
            while j < t.count, TextCodes.isDigit(t[j]), j - s < 4 { j += 1 }
            let n = j - s
            guard n >= 1, n <= 3 else { return nil }
            if part < 3 {
                guard j < t.count, t[j] == 0x2E else { return nil }
                j += 1
            }
        }
        if j < t.count, TextCodes.isDigit(t[j]) { return nil }
        return j
    }

    /// Alphanumeric runs of 10+ characters with both letters and digits (ids, hashes) become `#`.
    static func collapseIDs(_ t: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < t.count {
            if isAlnum(t[i]) || t[i] == 0x23 {
                var j = i
                var digits = false
                var letters = false
                while j < t.count, isAlnum(t[j]) || t[j] == 0x23 || t[j] == 0x2D {
                    if TextCodes.isDigit(t[j]) || t[j] == 0x23 { digits = true } else if t[j] != 0x2D { letters = true }
                    j += 1
                }
                if j - i >= 10, digits, letters { out.append(0x23) } else { out.append(contentsOf: t[i..<j]) }
                i = j
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return out
    }

    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool {
        TextCodes.isDigit(c) || (c >= 0x61 && c <= 0x7A)
    }
}
