extension String {
    /// ``lowercased()``, returning the String itself when it is ASCII without capitals (nearly every
    /// address and host name in a log): the tracker lower-cases a recipient on every delivery line, and
    /// `lowercased()` always built a new String. Any other text goes through `lowercased()`, so the
    /// result is always the same.
    public var cheaplyLowercased: String {
        var upper = false
        for b in utf8 {
            if b >= 0x80 { return lowercased() }
            if b >= 0x41 && b <= 0x5A { upper = true }
        }
        return upper ? lowercased() : self
    }
}
