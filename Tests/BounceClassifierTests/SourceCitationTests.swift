import BounceCore
import Testing

@testable import BounceClassifier

private let policy = """
    [[policy]]
    reason = "mailboxfull"
    type = "soft"
    fault = "recipient"

    [[policy]]
    reason = "onhold"
    type = "soft"
    fault = "unknown"

    [[policy]]
    reason = "undefined"
    type = "soft"
    fault = "unknown"

    """

private func rule(id: String, source: String?, phrase: String = "mailbox full") -> String {
    """
    [[probe]]
    id = "\(id)"
    reason = "mailboxfull"
    \(source.map { "source = \($0)" } ?? "")
    contains = ["\(phrase)"]
    vector = [{ text = "552 \(phrase)", expect = "mailboxfull" }]

    """
}

@Suite struct SourceCitationTests {
    @Test(arguments: [
        "https://www.rfc-editor.org/rfc/rfc3463#section-3.3",
        "RFC 3463",
        "RFC 3463 §3.3",
        "RFC 5321 section 4.2.3",
        "sisimai/p5-sisimai/lib/Sisimai/Reason/MailboxFull.pm@21cfb9321ba9",
        "sisimai/go-sisimai/reason/why-mailboxfull.go@ed142ded2c40de1233f82d8405a0acf0b76998c6",
    ])
    func wellFormedCitationsPass(_ s: String) {
        #expect(SourceCitation.problem(s) == nil)
    }

    @Test(arguments: [
        "Sisimai", "the corpus", "https://", "RFC three", "RFC 3463 3.3",
        "sisimai/p5-sisimai@21cfb93",  // no file path
        "sisimai/p5-sisimai/lib/x.pm@main",  // a branch moves; a commit does not
        "sisimai/p5-sisimai/lib/x.pm@21CFB93",
    ])
    func malformedCitationsAreNamed(_ s: String) {
        #expect(SourceCitation.problem(s) != nil)
    }

    @Test func sourcesAreKeptOnTheRuleAsStringOrList() throws {
        let set = try PatternLoader.load(defaults: [
            PatternSource(name: "policy.toml", text: policy),
            PatternSource(
                name: "a.toml",
                text: rule(id: "one", source: #""RFC 3463 §3.3""#)
                    + rule(id: "two", source: #"["RFC 3463", "https://example.org/errors"]"#)),
        ])
        #expect(set.rule(id: "one")?.sources == ["RFC 3463 §3.3"])
        #expect(set.rule(id: "two")?.sources == ["RFC 3463", "https://example.org/errors"])
        #expect(Classifier(set: set).sources(ofRule: "one") == ["RFC 3463 §3.3"])
        #expect(SourceCitation.audit(set).errors.isEmpty)
    }

    @Test func aDefaultRuleWithoutSourceIsAnErrorAnOverrideRuleOnlyAWarning() throws {
        let set = try PatternLoader.load(
            defaults: [
                PatternSource(name: "policy.toml", text: policy),
                PatternSource(name: "a.toml", text: rule(id: "packaged.bare", source: nil)),
            ],
            overrides: [
                PatternSource(name: "local.toml", text: rule(id: "site.bare", source: nil, phrase: "tank is full"))
            ])
        // The override rule loads and runs: an upgrade must not stop a site's local rules.
        #expect(set.rule(id: "site.bare")?.origin == .override)
        #expect(checkPatterns(set).isEmpty)
        let audit = SourceCitation.audit(set)
        #expect(audit.errors.map(\.ruleID) == ["packaged.bare"])
        #expect(audit.warnings.map(\.ruleID) == ["site.bare"])
        #expect(audit.warnings.first?.location.file == "local.toml")
    }

    @Test func aMalformedSourceIsReportedWithItsReason() throws {
        let set = try PatternLoader.load(defaults: [
            PatternSource(name: "policy.toml", text: policy),
            PatternSource(name: "a.toml", text: rule(id: "bad", source: #""the corpus""#)),
        ])
        let errors = SourceCitation.audit(set).errors
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("\"the corpus\" is not a citation") == true)
    }

    @Test func anEmptySourceIsALoadError() {
        #expect(throws: PatternLoadError.self) {
            try PatternLoader.load(defaults: [
                PatternSource(name: "policy.toml", text: policy),
                PatternSource(name: "a.toml", text: rule(id: "empty", source: #""""#)),
            ])
        }
    }

    @Test func aLiteralTheNormaliserWouldCollapseIsRefused() {
        // "aup#cxsndr" is ten letters, digits and `#`: the normaliser turns it into `#`, so it never matches.
        #expect(PatternLoader.unmatchable("see aup#cxsndr") != nil)
        #expect(PatternLoader.unmatchable("aup#cxbl") == nil)
        #expect(PatternLoader.unmatchable("unknown in local recipient table") == nil)
    }

    @Test func newerSisimaiNamesMapToOurs() throws {
        let set = try PatternLoader.load(defaults: [
            PatternSource(
                name: "policy.toml",
                text: policy + "[[policy]]\nreason = \"speeding\"\ntype = \"soft\"\nfault = \"sender\"\n"),
            PatternSource(
                name: "a.toml",
                text: """
                    [[probe]]
                    id = "rate"
                    reason = "ratelimited"
                    source = "https://github.com/sisimai/go-sisimai/issues/307"
                    note = "read as a rate limit"
                    contains = ["slow down"]
                    vector = [{ text = "450 slow down", expect = "ratelimited" }]
                    """),
        ])
        #expect(set.rule(id: "rate")?.reason == "speeding")
        #expect(checkPatterns(set).isEmpty)
        let c = Classifier(set: set).classify(
            FailureEvidence(mta: .postfix, status: .deferred, replyCode: 450, diagnostic: "450 slow down"))
        #expect(c.reason == "speeding")
        #expect(c.evidence.hasSuffix("read as a rate limit"), "the rule's note explains the reading in the evidence")
    }
}
