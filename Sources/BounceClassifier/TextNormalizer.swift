/// Turns a remote text into the form rules are matched against and memoised by.
///
/// Lower-cased ASCII; runs of white space become one space; a token holding an `@` (an address) becomes
/// `@`; a dotted quad becomes `ip`; digit runs of five or more become `#`; and long tokens that mix
/// letters and digits (queue ids, hashes, tracking ids) become `#`. Short numbers stay, so reply codes
/// and enhanced codes in the text (`550`, `5.7.1`, `#5.1.1`) remain visible to rules. Because rules see
/// only this form, two texts that normalise alike always classify alike, which makes the memo exact.
public enum TextNormalizer {
    public static func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var token: [UInt8] = []
        func flush() {
            guard !token.isEmpty else { return }
            if !out.isEmpty { out.append(0x20) }
            out.append(contentsOf: rewrite(token))
            token.removeAll(keepingCapacity: true)
        }
        for c in text.utf8 {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                flush()
            } else {
                token.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    static func rewrite(_ t: [UInt8]) -> [UInt8] {
        if t.contains(0x40) {
            // Keep the punctuation around an address so `<...>:` patterns still read naturally.
            var lead: [UInt8] = []
            var trail: [UInt8] = []
            var s = 0
            var e = t.count
            while s < e, isWrapper(t[s]) { lead.append(t[s]); s += 1 }
            while e > s, isWrapper(t[e - 1]) { trail.insert(t[e - 1], at: 0); e -= 1 }
            return lead + [0x40] + trail
        }
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

    @inline(__always) static func isWrapper(_ c: UInt8) -> Bool {
        c == 0x3C || c == 0x3E || c == 0x28 || c == 0x29 || c == 0x5B || c == 0x5D || c == 0x22 || c == 0x27
            || c == 0x3A || c == 0x3B || c == 0x2C || c == 0x2E
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
