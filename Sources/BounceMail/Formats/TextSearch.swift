extension StringProtocol {
    /// True when `needle` occurs in the text, compared byte for byte in UTF-8.
    ///
    /// Foundation's `contains(_:)` (visible here through the modules BounceMail imports) goes through
    /// NSString and was a fifth of `classify-mail`'s time in a profile; readers test dozens of phrases
    /// per line, so they use this.
    func has(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard let first = n.first else { return true }
        let h = self.utf8
        guard h.count >= n.count else { return false }
        var i = h.startIndex
        let last = h.index(h.endIndex, offsetBy: -(n.count - 1))
        while i < last {
            if h[i] == first {
                var j = h.index(after: i)
                var k = 1
                while k < n.count, h[j] == n[k] {
                    j = h.index(after: j)
                    k += 1
                }
                if k == n.count { return true }
            }
            i = h.index(after: i)
        }
        return false
    }
}
