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
        guard start >= 0, hay.count - start >= n else { return nil }
        // memchr for the first byte, memcmp for the rest: a bounds-checked byte loop was most of a
        // classification on a memo miss (every literal of every rule tried in turn).
        return hay.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { w in
                guard let hb = h.baseAddress, let wb = w.baseAddress else { return nil }
                let first = Int32(wb[0])
                let last = h.count - n
                var i = start
                while i <= last {
                    guard let p = memchr(hb + i, first, last - i + 1) else { return nil }
                    let k = UnsafeRawPointer(p) - UnsafeRawPointer(hb)
                    if n == 1 || memcmp(hb + k + 1, wb + 1, n - 1) == 0 { return k + n }
                    i = k + 1
                }
                return nil
            }
        }
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

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
