/// Finds SMTP reply codes and enhanced status codes inside a remote text, byte by byte.
///
/// A code counts only when it stands alone: not glued to other digits or dots (so `192.0.2.5` or
/// `4.16.55.1` yield nothing), as Sisimai's reply/status helpers require.
public enum TextCodes {
    /// The first enhanced status code (`5.1.1`, `4.7.26`) in `text`, as written.
    public static func enhancedCode(in text: String) -> String? {
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if (c == 0x32 || c == 0x34 || c == 0x35), i + 1 < b.count, b[i + 1] == 0x2E, !gluedBefore(b, i) {
                var j = i + 2
                let s1 = j
                while j < b.count, isDigit(b[j]), j - s1 < 4 { j += 1 }
                let n1 = j - s1
                if n1 >= 1, n1 <= 3, j < b.count, b[j] == 0x2E {
                    j += 1
                    let s2 = j
                    while j < b.count, isDigit(b[j]), j - s2 < 4 { j += 1 }
                    let n2 = j - s2
                    if n2 >= 1, n2 <= 3, !gluedAfter(b, j) {
                        return String(decoding: b[i..<j], as: UTF8.self)
                    }
                }
            }
            i += 1
        }
        return nil
    }

    /// The first SMTP reply code (`550`, `421`) in `text`: three digits starting with 2, 4 or 5, followed by
    /// a space, a `-`, or the end, and not glued to other digits or dots.
    public static func replyCode(in text: String) -> Int? {
        let b = Array(text.utf8)
        var i = 0
        while i + 2 < b.count {
            let c = b[i]
            if (c == 0x32 || c == 0x34 || c == 0x35), isDigit(b[i + 1]), isDigit(b[i + 2]), !gluedBefore(b, i) {
                let end = i + 3
                if end == b.count || b[end] == 0x20 || b[end] == 0x2D {
                    let v = Int(c - 0x30) * 100 + Int(b[i + 1] - 0x30) * 10 + Int(b[i + 2] - 0x30)
                    if v % 100 <= 59 { return v }
                }
            }
            i += 1
        }
        return nil
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    @inline(__always) static func gluedBefore(_ b: [UInt8], _ i: Int) -> Bool {
        guard i > 0 else { return false }
        let p = b[i - 1]
        return isDigit(p) || p == 0x2E || (p >= 0x41 && p <= 0x5A) || (p >= 0x61 && p <= 0x7A)
    }

    @inline(__always) static func gluedAfter(_ b: [UInt8], _ j: Int) -> Bool {
        guard j < b.count else { return false }
        let n = b[j]
        if isDigit(n) { return true }
        // A dot followed by a digit continues a longer dotted number; a final period ends a sentence.
        return n == 0x2E && j + 1 < b.count && isDigit(b[j + 1])
    }
}
