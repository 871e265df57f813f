/// One thing wrong with a pattern file: where, and what to change.
public struct PatternProblem: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// A pattern set that could not be loaded: every problem found, each with its file and line.
public struct PatternLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [PatternProblem]
    public init(problems: [PatternProblem]) { self.problems = problems }
    public var description: String {
        "pattern set rejected (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}

/// One pattern file's text and the name used in messages (usually its path).
public struct PatternSource: Sendable, Hashable {
    public var name: String
    public var text: String
    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}
