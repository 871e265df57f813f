/// The `source` key of a rule: where its knowledge comes from, so a maintainer can check a phrase
/// against what the server or the library really says (and a corpus row is never a source).
///
/// A citation is one of:
/// - a URL: `https://support.google.com/a/answer/3726730`;
/// - an RFC section: `RFC 3463 §3.3`, `RFC 5321 section 4.2.3`, or a whole `RFC 3463`;
/// - a file of a public repository at a commit: `sisimai/p5-sisimai/lib/Sisimai/Reason/MailboxFull.pm@4d0c3ab`
///   (owner/repo/path@ then 7–40 hex digits).
public enum SourceCitation {
    /// Why `text` is not a well-formed citation, or nil when it is.
    public static func problem(_ text: String) -> String? {
        let s = Substring(text)
        if s.hasPrefix("https://") || s.hasPrefix("http://") {
            let rest = s.drop(while: { $0 != "/" }).dropFirst(2)
            return rest.isEmpty || rest.contains(where: \.isWhitespace) ? "a URL needs a host and no spaces" : nil
        }
        if s.hasPrefix("RFC ") {
            let words = s.split(separator: " ")
            guard words.count >= 2, words[1].allSatisfy(\.isNumber) else { return "write `RFC <number> §<section>`" }
            if words.count == 2 { return nil }
            let section: Substring
            if words.count == 3, words[2].hasPrefix("§") {
                section = words[2].dropFirst()
            } else if words.count == 4, words[2] == "section" || words[2] == "§" {
                section = words[3]
            } else {
                return "write `RFC <number> §<section>` or `RFC <number> section <section>`"
            }
            let ok = !section.isEmpty && section.allSatisfy { $0.isNumber || $0 == "." || $0.isLetter }
            return ok ? nil : "the section must be like 3.3 or 4.2.3"
        }
        guard let at = s.lastIndex(of: "@") else {
            return "expected a URL, `RFC <number> §<section>` or `owner/repo/path@commit`"
        }
        let path = s[..<at]
        let commit = s[s.index(after: at)...]
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count < 3 || parts.contains(where: \.isEmpty) || path.contains(where: \.isWhitespace) {
            return "`owner/repo/path@commit` needs an owner, a repository and a file path"
        }
        let hex = commit.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        return (7...40).contains(commit.count) && hex
            ? nil : "the commit after `@` must be 7 to 40 lower-case hex digits"
    }

    /// The source problems of a set. A packaged rule (the defaults) without a well-formed source is an
    /// error: `check-patterns` fails. An override rule without one is only a warning: a site's local
    /// rules must keep loading after an upgrade.
    public static func audit(_ set: PatternSet) -> (errors: [VectorFailure], warnings: [VectorFailure]) {
        var errors: [VectorFailure] = []
        var warnings: [VectorFailure] = []
        for rule in set.rules where !rule.disabled {
            var messages: [String] = []
            if rule.sources.isEmpty {
                messages.append(
                    "rule cites no source; add source = \"<URL | RFC <n> §<section> | owner/repo/path@commit>\"")
            }
            for s in rule.sources {
                if let why = problem(s) { messages.append("source \"\(s)\" is not a citation: \(why)") }
            }
            for m in messages {
                let f = VectorFailure(ruleID: rule.id, location: rule.location, message: m)
                if rule.origin == .packaged { errors.append(f) } else { warnings.append(f) }
            }
        }
        return (errors, warnings)
    }
}
