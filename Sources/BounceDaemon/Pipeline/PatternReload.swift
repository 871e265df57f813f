import BounceClassifier

/// Loads the pattern set for the daemon and checks it: a set that fails to compile or whose test
/// vectors fail is refused (at start-up: the daemon does not start; on SIGHUP: the old set stays).
public enum PatternReload {
    public struct Refused: Error, CustomStringConvertible {
        public var failures: [String]
        public var description: String {
            "the pattern set fails \(failures.count) check(s); fix them (bouncetail check-patterns shows the same):\n"
                + failures.prefix(20).joined(separator: "\n")
        }
    }

    /// - Parameter warn: receives one line per override rule that cites no source (`source = ...`);
    ///   such a rule still loads, so an upgrade never stops a site's local rules.
    public static func loadChecked(_ config: BounceTailConfig, warn: (String) -> Void = { _ in }) throws
        -> Classifier
    {
        let set = try PipelineFactory.loadPatterns(config)
        let failures = checkPatterns(set)
        if !failures.isEmpty { throw Refused(failures: failures.map(\.description)) }
        for w in SourceCitation.audit(set).warnings { warn(w.description) }
        return Classifier(set: set)
    }
}
