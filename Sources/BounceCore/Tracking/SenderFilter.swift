/// Decides which messages may produce bounces, so personal mail on the same host never reaches listmonk.
///
/// Patterns, matched case-insensitively against the envelope sender:
/// - `list@example.com`: that address exactly;
/// - `@example.com` or `example.com`: any address at that domain or one of its subdomains;
/// - anything with `*`: a glob over the whole address (`bounces+*@example.com`), `*` matching any run.
///
/// A message is accepted when the sender matches a pattern, or when it carries listmonk's headers. With
/// `requireListmonkHeaders`, the headers are required (and, when patterns are given, the sender must match too).
public struct SenderFilter: Sendable, Hashable {
    public private(set) var addresses: Set<String> = []
    public private(set) var domains: [String] = []
    public private(set) var globs: [[UInt8]] = []
    public var requireListmonkHeaders: Bool

    public init(patterns: [String], requireListmonkHeaders: Bool = false) {
        self.requireListmonkHeaders = requireListmonkHeaders
        for raw in patterns {
            let p = raw.trimmingSpaces.lowercased()
            if p.isEmpty { continue }
            if p.contains("*") {
                globs.append(Array(p.utf8))
            } else if p.hasPrefix("@") {
                domains.append(String(p.dropFirst()))
            } else if !p.contains("@") {
                domains.append(p)
            } else {
                addresses.insert(p)
            }
        }
    }

    /// True when no pattern is configured (only the header requirement, if any, applies).
    public var hasPatterns: Bool { !addresses.isEmpty || !domains.isEmpty || !globs.isEmpty }

    /// Whether a message with this envelope sender (nil when unknown) may produce bounces.
    public func accepts(sender: String?, hasListmonkHeaders: Bool) -> Bool {
        if requireListmonkHeaders {
            return hasListmonkHeaders && (!hasPatterns || matches(sender))
        }
        return !hasPatterns || hasListmonkHeaders || matches(sender)
    }

    /// Whether the sender matches one of the patterns.
    public func matches(_ sender: String?) -> Bool {
        guard let sender, !sender.isEmpty else { return false }
        let s = sender.lowercased()
        if addresses.contains(s) { return true }
        if !domains.isEmpty {
            let domain = RecipientState.domain(of: s)
            for d in domains where domain == d || domain.hasSuffix("." + d) { return true }
        }
        if !globs.isEmpty {
            let bytes = Array(s.utf8)
            for g in globs where Self.glob(g, bytes) { return true }
        }
        return false
    }

    /// `*` matches any run of bytes; everything else matches itself. Linear-time greedy matcher with backtracking
    /// to the last star only.
    static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0, t = 0
        var star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && pattern[p] != UInt8(ascii: "*") && pattern[p] == text[t] {
                p += 1; t += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs (no Foundation in the core).
    var trimmingSpaces: String {
        let u = utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return String(self[first...last])
    }
}
