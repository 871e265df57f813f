/// Literal matching on UTF-8 bytes: the fast path every rule takes before any regular expression.
enum TextMatch {
    /// True when `needle` occurs in `hay`.
    static func contains(_ hay: [UInt8], _ needle: [UInt8], from start: Int = 0) -> Bool {
        find(hay, needle, from: start) != nil
    }

    /// The index just past the first occurrence of `needle` at or after `start`, or nil.
    static func find(_ hay: [UInt8], _ needle: [UInt8], from start: Int = 0) -> Int? {
        let n = needle.count
        guard n > 0 else { return start }
        guard hay.count - start >= n else { return nil }
        let first = needle[0]
        var i = start
        let last = hay.count - n
        while i <= last {
            if hay[i] == first {
                var k = 1
                while k < n, hay[i + k] == needle[k] { k += 1 }
                if k == n { return i + n }
            }
            i += 1
        }
        return nil
    }

    /// True when the words occur in this order (each after the end of the previous one).
    static func wordsInOrder(_ hay: [UInt8], _ words: [[UInt8]]) -> Bool {
        var at = 0
        for w in words {
            guard let end = find(hay, w, from: at) else { return false }
            at = end
        }
        return true
    }
}
