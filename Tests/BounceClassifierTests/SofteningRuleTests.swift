import BounceCore
import Testing

@testable import BounceClassifier

/// A hard reason and a soft one, for rules that soften.
private let policy = """
    [[policy]]
    reason = "notaccept"
    type = "hard"
    fault = "recipient"
    soft_when_temporary = true

    [[policy]]
    reason = "onhold"
    type = "soft"
    fault = "unknown"

    [[policy]]
    reason = "undefined"
    type = "soft"
    fault = "unknown"

    """

private func load(_ text: String) throws -> PatternSet {
    try PatternLoader.load(defaults: [
        PatternSource(name: "policy.toml", text: policy), PatternSource(name: "a.toml", text: text),
    ])
}

@Suite struct SofteningRuleTests {
    @Test func aSoftRuleMakesAHardReasonSoftAndSaysWhy() throws {
        let set = try load(
            """
            [[probe]]
            id = "notice"
            reason = "notaccept"
            source = "RFC 7505 §4.1"
            soft = true
            note = "safe under doubt: the reporter calls this notice temporary"
            contains = ["returned null mx"]
            vector = [{ text = "DNS Error: returned Null MX", expect = "notaccept", type = "soft" }]

            [[probe]]
            id = "final"
            reason = "notaccept"
            source = "RFC 7505 §4.1"
            contains = ["does not accept mail"]
            vector = [{ text = "556 5.1.10 Domain does not accept mail", expect = "notaccept", type = "hard" }]
            """)
        #expect(checkPatterns(set).isEmpty)
        let classifier = Classifier(set: set)
        let soft = classifier.classify(failure("DNS Error: returned Null MX", dsn: "5.0.0"))
        #expect(soft.reason == "notaccept")
        #expect(soft.type == .soft, "the rule softens the hard policy")
        #expect(soft.evidence.hasSuffix("the reporter calls this notice temporary"))
        let hard = classifier.classify(failure("556 5.1.10 Domain does not accept mail", dsn: "5.1.10"))
        #expect(hard.type == .hard, "a rule without `soft` keeps the policy's type")
        #expect(set.rule(id: "notice")?.soft == true)
        #expect(set.rule(id: "final")?.soft == false)
    }

    @Test func aSoftRuleWithoutANoteIsRefused() {
        do {
            _ = try load(
                """
                [[probe]]
                id = "silent"
                reason = "notaccept"
                source = "RFC 7505"
                soft = true
                contains = ["null mx"]
                vector = [{ text = "null mx", expect = "notaccept" }]
                """)
            Issue.record("a soft rule without a note loaded")
        } catch let e as PatternLoadError {
            #expect(e.problems.contains { $0.message.contains("`soft = true` needs a `note`") })
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
