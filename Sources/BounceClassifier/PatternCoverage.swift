/// What a pattern set does with a set of log lines: how often each rule decides, and which failures
/// only a fallback (the code table or a class default) or nothing at all (`onhold`/`undefined`) decided,
/// so a maintainer sees what the set does not know. Pure: feed it verdicts, read the counts.
public struct PatternCoverage: Sendable {
    /// How a failure was decided.
    public enum Outcome: String, Sendable, CaseIterable {
        /// A provider rule or a probe: the wording was known.
        case known
        /// Only the enhanced-code table or a class default decided.
        case fallback
        /// No rule matched (`onhold` with text, `undefined` without).
        case undecided
    }

    /// One failure that fell to a fallback or to nothing.
    public struct Example: Sendable, Hashable {
        public var lineNumber: Int
        public var line: String
        public var rule: String
        public var reason: String
    }

    /// Decisions per rule id (`none` when nothing matched).
    public private(set) var firings: [String: Int] = [:]
    /// Failures per outcome.
    public private(set) var outcomes: [Outcome: Int] = [:]
    /// Lines that were not failures (sent, other) and so were not classified.
    public private(set) var skipped = 0
    /// Every fallback and undecided failure, in input order.
    public private(set) var examples: [Example] = []

    private let sections: [String: RuleSection]

    public init(set: PatternSet) {
        var s: [String: RuleSection] = [:]
        for r in set.rules { s[r.id] = r.section }
        sections = s
    }

    /// Counts one line's verdict.
    public mutating func add(lineNumber: Int, line: String, verdict: LineVerdict) {
        guard let c = verdict.classification else {
            skipped += 1
            return
        }
        firings[c.rule, default: 0] += 1
        let outcome: Outcome
        switch sections[c.rule] {
        case .provider?, .probe?: outcome = .known
        case .code?, .default?: outcome = .fallback
        case nil: outcome = .undecided
        }
        outcomes[outcome, default: 0] += 1
        if outcome != .known {
            examples.append(.init(lineNumber: lineNumber, line: line, rule: c.rule, reason: c.reason))
        }
    }

    /// Failures classified.
    public var failures: Int { outcomes.values.reduce(0, +) }

    /// Rules of the set that never decided a line, in set order.
    public func silentRules(in set: PatternSet) -> [String] {
        set.rules.filter { !$0.disabled && firings[$0.id] == nil }.map(\.id)
    }

    /// A plain-text report: totals, firings per rule (most first), then every fallback and undecided line.
    public func report(set: PatternSet, showLines: Bool = true) -> String {
        var out: [String] = []
        let n = max(failures, 1)
        func pct(_ k: Int) -> String {
            let tenths = (k * 1000 + n / 2) / n
            return "\(tenths / 10).\(tenths % 10)%"
        }
        out.append("coverage: \(failures) failures classified, \(skipped) other lines skipped")
        for o in Outcome.allCases {
            let k = outcomes[o] ?? 0
            out.append("  \(o.rawValue): \(k) (\(pct(k)))")
        }
        out.append("rules by firings:")
        for (id, k) in firings.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            let section = sections[id].map { $0.rawValue } ?? "none"
            out.append("  \(k)\t\(id)\t[\(section)]")
        }
        let silent = silentRules(in: set)
        out.append("rules that never fired: \(silent.count)")
        if showLines {
            out.append("lines decided by a fallback or by nothing:")
            for e in examples { out.append("  \(e.lineNumber)\t\(e.rule)\t\(e.reason)\t\(e.line)") }
        }
        return out.joined(separator: "\n")
    }
}
