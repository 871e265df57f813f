/// The in-process filter on `SYSLOG_IDENTIFIER`: sd-journal matches are exact, so
/// `postfix/smtp`, `postfix/qmgr`, `postfix-out/smtp`, ... cannot be selected there.
///
/// Each pattern is a prefix of the identifier. `*` inside a pattern stands for one or more
/// characters other than `/`, so `postfix-*/` accepts `postfix-out/smtp` (a multi-instance
/// `syslog_name`) but not `postfix/smtp`. An empty pattern list accepts everything, including
/// entries without an identifier; otherwise an entry without one is dropped.
public struct JournalIdentifierFilter: Sendable, Hashable {
    /// The patterns as given.
    public let patterns: [String]
    private let compiled: [[UInt8]]

    public init(patterns: [String]) {
        self.patterns = patterns
        self.compiled = patterns.map { Array($0.utf8) }
    }

    /// True when no pattern is set: every entry is kept.
    public var acceptsEverything: Bool { compiled.isEmpty }

    /// Whether an entry with this identifier is kept.
    public func accepts(_ identifier: String?) -> Bool {
        if compiled.isEmpty { return true }
        guard var text = identifier else { return false }
        return text.withUTF8 { accepts(bytes: $0) }
    }

    /// Whether an entry with this identifier (UTF-8 bytes) is kept.
    public func accepts(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if compiled.isEmpty { return true }
        for pattern in compiled where Self.matchesPrefix(pattern: pattern[...], text: bytes[...]) {
            return true
        }
        return false
    }

    private static let star = UInt8(ascii: "*")
    private static let slash = UInt8(ascii: "/")

    private static func matchesPrefix(pattern: ArraySlice<UInt8>, text: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        while p < pattern.endIndex {
            let byte = pattern[p]
            if byte == star {
                // One or more non-slash characters, then the rest of the pattern; patterns are
                // a few bytes long, so trying each split is cheap.
                var end = t
                while end < text.endIndex, text[end] != slash {
                    end += 1
                    if matchesPrefix(pattern: pattern[(p + 1)...], text: text[end...]) { return true }
                }
                return false
            }
            guard t < text.endIndex, text[t] == byte else { return false }
            p += 1
            t += 1
        }
        return true
    }
}
