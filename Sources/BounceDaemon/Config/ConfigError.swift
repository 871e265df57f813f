/// One problem found in a configuration: where it is (file, line, key path) and what to do about it.
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Hashable {
        /// The file could not be read.
        case unreadable
        /// The text is not valid TOML.
        case syntax
        /// A key that bouncetail does not know (often a typo).
        case unknownKey
        /// A value of the wrong TOML type (a string where a number belongs, ...).
        case wrongType
        /// A value of the right type that is not allowed (an unknown enum word, a bad duration, ...).
        case invalidValue
        /// A key that is required (by itself or by another setting) but absent.
        case missing
    }

    /// The kind of problem.
    public var kind: Kind
    /// The file the value came from, or the flag or environment variable that set it.
    public var origin: String?
    /// The dotted key path, e.g. `outbox.hold_older_than` or `sources.file[0].mta`.
    public var keyPath: String?
    /// The 1-based line in `origin` when known.
    public var line: Int?
    /// The 1-based column (syntax errors only).
    public var column: Int?
    /// What is wrong, and what is allowed instead.
    public var message: String

    /// Creates an issue.
    public init(
        kind: Kind, origin: String? = nil, keyPath: String? = nil, line: Int? = nil, column: Int? = nil, message: String
    ) {
        self.kind = kind
        self.origin = origin
        self.keyPath = keyPath
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE: key.path: message`, leaving out the parts that are unknown.
    public var description: String {
        var location = origin ?? ""
        if let line {
            location += location.isEmpty ? "line \(line)" : ":\(line)"
            if let column { location += ":\(column)" }
        }
        var out = location.isEmpty ? "" : location + ": "
        if let keyPath { out += keyPath + ": " }
        return out + message
    }
}

/// The configuration could not be loaded; `issues` lists every problem found (not only the first),
/// so an operator can fix the file in one go.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in file order where the line is known.
    public var issues: [ConfigIssue]

    /// Creates an error from issues.
    public init(issues: [ConfigIssue]) { self.issues = issues }

    public var description: String {
        let head = issues.count == 1 ? "invalid configuration:" : "invalid configuration (\(issues.count) problems):"
        return ([head] + issues.map { "  " + $0.description }).joined(separator: "\n")
    }
}
