import Foundation

/// A compiled regular expression (NSRegularExpression, case-insensitive), kept with its source text.
///
/// `@unchecked Sendable`: NSRegularExpression is immutable after creation and documented as safe to use
/// from several threads at once; this wrapper never mutates it.
public struct CompiledRegex: @unchecked Sendable, Hashable {
    public let pattern: String
    let regex: NSRegularExpression

    /// Compiles `pattern`; throws the compiler's message when it is not a valid expression.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    }

    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The named groups of the first match, or nil when there is none.
    public func captures(_ text: String, names: [String]) -> [String: String]? {
        guard let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        var out: [String: String] = [:]
        for name in names {
            let r = m.range(withName: name)
            if r.location != NSNotFound, let range = Range(r, in: text) { out[name] = String(text[range]) }
        }
        return out
    }

    /// The names of the expression's named capture groups, in order.
    public var groupNames: [String] {
        // NSRegularExpression does not list its group names; read them from the pattern (`(?<name>`).
        var names: [String] = []
        var rest = Substring(pattern)
        while let r = rest.range(of: "(?<") {
            let after = rest[r.upperBound...]
            if let first = after.first, first != "=", first != "!", let close = after.firstIndex(of: ">") {
                names.append(String(after[..<close]))
            }
            rest = after
        }
        return names
    }

    public static func == (a: CompiledRegex, b: CompiledRegex) -> Bool { a.pattern == b.pattern }
    public func hash(into h: inout Hasher) { h.combine(pattern) }
}
