extension String {
    /// ``lowercased()``, returning the String itself when it is ASCII without capitals (nearly every
    /// address and host name in a log): the tracker lower-cases a recipient on every delivery line, and
    /// `lowercased()` always built a new String. Any other text goes through `lowercased()`, so the
    /// result is always the same.
    public var cheaplyLowercased: String {
        // On the contiguous bytes when the String has them (every String the parsers make): stepping the
        // UTF-8 view's index cost several times the scan.
        let plain =
            utf8.withContiguousStorageIfAvailable { u -> Bool in
                for b in u where b >= 0x41 && (b <= 0x5A || b >= 0x80) { return false }
                return true
            } ?? utf8.allSatisfy { $0 < 0x41 || ($0 > 0x5A && $0 < 0x80) }
        return plain ? self : lowercased()
    }
}
