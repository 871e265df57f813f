import BounceCore

/// A test vector that did not give what it expects, or a rule/format without vectors.
public struct VectorFailure: Sendable, Hashable, CustomStringConvertible {
    public var ruleID: String
    public var location: SourceLocation
    public var message: String
    public init(ruleID: String, location: SourceLocation, message: String) {
        self.ruleID = ruleID
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(ruleID): \(message)" }
}

/// Runs every test vector of `set` through a fresh classifier; returns every failure (empty when all pass),
/// including rules and formats that have no vector at all.
public func checkPatterns(_ set: PatternSet) -> [VectorFailure] {
    let classifier = Classifier(set: set)
    var failures: [VectorFailure] = []
    for rule in set.rules {
        if rule.vectors.isEmpty {
            if !rule.disabled {
                failures.append(.init(ruleID: rule.id, location: rule.location, message: "rule has no test vector"))
            }
            continue
        }
        if rule.disabled { continue }
        for (n, v) in rule.vectors.enumerated() {
            let got = classifier.classifyUncached(v.evidence)
            var wrong: [String] = []
            if got.reason != v.expectReason { wrong.append("reason \(got.reason), expected \(v.expectReason)") }
            if let t = v.expectType, got.type != t { wrong.append("type \(got.type.rawValue), expected \(t.rawValue)") }
            let wantRule = v.expectRule ?? rule.id
            if got.rule != wantRule { wrong.append("fired rule \(got.rule), expected \(wantRule)") }
            if !wrong.isEmpty {
                failures.append(
                    .init(
                        ruleID: rule.id, location: v.location,
                        message: "vector \(n + 1) (\"\(v.text.prefix(80))\"): " + wrong.joined(separator: "; ")
                            + " [evidence: \(got.evidence)]"))
            }
        }
    }
    for f in set.formats {
        if f.vectors.isEmpty {
            failures.append(.init(ruleID: f.id, location: f.location, message: "format has no test vector"))
        }
        for (n, v) in f.vectors.enumerated() {
            guard let a = f.attempt(from: v.line) else {
                failures.append(
                    .init(
                        ruleID: f.id, location: v.location,
                        message: "vector \(n + 1): the format does not match the line"))
                continue
            }
            if a.recipient != v.recipient || a.status != v.status {
                failures.append(
                    .init(
                        ruleID: f.id, location: v.location,
                        message:
                            "vector \(n + 1): got recipient \(a.recipient) status \(a.status.rawValue), expected \(v.recipient) \(v.status.rawValue)"
                    ))
            }
        }
    }
    return failures
}
