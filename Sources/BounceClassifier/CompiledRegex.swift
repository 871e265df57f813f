import Foundation

/// A compiled regular expression (NSRegularExpression, case-insensitive), kept with its source text.
///
/// `@unchecked Sendable`: NSRegularExpression is immutable after creation and documented as safe to use
/// from several threads at once; this wrapper never mutates it.
public struct CompiledRegex: @unchecked Sendable, Hashable {
    public let pattern: String
    private let box: Box

    /// The expression, compiled now or on first use.
    var regex: NSRegularExpression { box.regex(pattern) }

    /// Compiles `pattern`; throws the compiler's message when it is not a valid expression.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        self.box = Box(try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]))
    }

    /// An expression known to compile (it did when its compiled pattern file was generated, with this
    /// code), compiled on first use: a rule's regex runs only when its literal pre-filter matched, so
    /// most of a one-shot command's rules never need theirs, and compiling them all was a tenth of it.
    init(compiledBefore pattern: String) {
        self.pattern = pattern
        self.box = Box(nil)
    }

    /// The compiled expression, set once; the lock makes the first use from several threads safe.
    private final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var compiled: NSRegularExpression?

        init(_ compiled: NSRegularExpression?) { self.compiled = compiled }

        func regex(_ pattern: String) -> NSRegularExpression {
            lock.lock()
            defer { lock.unlock() }
            if let compiled { return compiled }
            // Cannot fail: the same pattern compiled with the same code when its form was generated, and a
            // test compiles every one of them.
            let r = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            compiled = r
            return r
        }
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
