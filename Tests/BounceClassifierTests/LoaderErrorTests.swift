import Testing

@testable import BounceClassifier

/// A minimal valid file: one probe with a vector and the policy it needs.
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

private func load(_ text: String, name: String = "test.toml") throws -> PatternSet {
    try PatternLoader.load(defaults: [
        PatternSource(name: "policy.toml", text: policy), PatternSource(name: name, text: text),
    ])
}

private func problems(_ text: String) -> [PatternProblem] {
    do {
        _ = try load(text)
        return []
    } catch let e as PatternLoadError {
        return e.problems
    } catch {
        return [PatternProblem(location: .init(file: "?", line: 0), message: "\(error)")]
    }
}

@Suite struct LoaderErrorTests {
    @Test func validFileLoads() throws {
        let set = try load(
            """
            [[probe]]
            id = "p.full"
            reason = "mailboxfull"
            contains = ["mailbox full"]
            [[probe.vector]]
            text = "552 Mailbox FULL"
            expect = "mailboxfull"
            """)
        #expect(set.rules.map(\.id) == ["p.full"])
        #expect(checkPatterns(set).isEmpty)
    }

    @Test func syntaxErrorNamesFileAndLine() {
        let p = problems(
            """
            [[probe]]
            id = "p.full"
            reason = "mailboxfull
            """)
        #expect(p.count == 1)
        #expect(p.first?.location.file == "test.toml")
        #expect(p.first?.location.line == 3)
        #expect(p.first?.message.contains("TOML syntax") == true)
    }

    @Test func unknownReasonIsRejectedAtTheRulesLine() {
        let p = problems(
            """
            # a comment

            [[probe]]
            id = "p.bad"
            reason = "mailbox_full"
            contains = ["x"]
            vector = [{ text = "x", expect = "mailboxfull" }]
            """)
        #expect(p.contains { $0.message.contains("unknown reason `mailbox_full`") && $0.location.line == 4 })
    }

    @Test func badRegexIsRejected() {
        let p = problems(
            """
            [[probe]]
            id = "p.re"
            reason = "mailboxfull"
            contains = ["quota"]
            regex = 'quota (exceeded'
            vector = [{ text = "quota exceeded", expect = "mailboxfull" }]
            """)
        #expect(p.contains { $0.message.contains("does not compile") && $0.location.line == 2 })
    }

    @Test func regexWithoutLiteralPrefilterIsRejected() {
        let p = problems(
            """
            [[probe]]
            id = "p.re"
            reason = "mailboxfull"
            regex = 'quota\\s+exceeded'
            vector = [{ text = "quota exceeded", expect = "mailboxfull" }]
            """)
        #expect(p.contains { $0.message.contains("literal pre-filter") })
    }

    @Test func ruleWithoutVectorIsRejected() {
        let p = problems(
            """
            [[probe]]
            id = "p.novec"
            reason = "mailboxfull"
            contains = ["full"]
            """)
        #expect(p.contains { $0.message.contains("no test vector") && $0.location.line == 2 })
    }

    @Test func duplicateIDIsRejectedWithBothPlaces() {
        let p = problems(
            """
            [[probe]]
            id = "p.dup"
            reason = "mailboxfull"
            contains = ["full"]
            vector = [{ text = "full", expect = "mailboxfull" }]

            [[probe]]
            id = "p.dup"
            reason = "mailboxfull"
            contains = ["quota"]
            vector = [{ text = "quota", expect = "mailboxfull" }]
            """)
        #expect(p.contains { $0.message.contains("duplicate rule id `p.dup`") })
    }

    @Test func unknownKeyAndMissingPolicyAreRejected() {
        let p = problems(
            """
            [[probe]]
            id = "p.x"
            reason = "blocked"
            contians = ["typo"]
            stages = ["RCPT"]
            vector = [{ text = "x", stage = "RCPT", expect = "blocked" }]
            """)
        #expect(p.contains { $0.message.contains("unknown key `contians`") && $0.location.line == 2 })
    }

    @Test func reasonWithoutPolicyIsRejected() {
        let p = problems(
            """
            [[probe]]
            id = "p.x"
            reason = "blocked"
            stages = ["RCPT"]
            vector = [{ text = "x", stage = "RCPT", expect = "blocked" }]
            """)
        #expect(
            p.contains {
                $0.message.contains("yields `blocked`, which has no [[policy]] entry") && $0.location.line == 2
            })
    }

    @Test func literalThatCannotMatchNormalisedTextIsRejected() {
        let p = problems(
            """
            [[probe]]
            id = "p.addr"
            reason = "mailboxfull"
            contains = ["postmaster@example.org"]
            vector = [{ text = "x", expect = "mailboxfull" }]
            """)
        #expect(p.contains { $0.message.contains("can never match") })
    }

    @Test func checkPatternsReportsFailingVectorWithLine() throws {
        let set = try load(
            """
            [[probe]]
            id = "p.full"
            reason = "mailboxfull"
            contains = ["mailbox full"]
            [[probe.vector]]
            text = "this text does not say it"
            expect = "mailboxfull"
            """)
        let f = checkPatterns(set)
        #expect(f.count == 1)
        #expect(f.first?.ruleID == "p.full")
        #expect(f.first?.location == SourceLocation(file: "test.toml", line: 7))
        #expect(f.first?.message.contains("reason onhold, expected mailboxfull") == true)
    }

    @Test func checkPatternsReportsRuleWithoutVector() throws {
        var set = try load(
            """
            [[probe]]
            id = "p.full"
            reason = "mailboxfull"
            contains = ["mailbox full"]
            vector = [{ text = "mailbox full", expect = "mailboxfull" }]
            """)
        set.rules[0].vectors = []
        #expect(checkPatterns(set).map(\.message) == ["rule has no test vector"])
    }

    @Test func lineFormatNeedsPrefilterAndCaptures() {
        let p = problems(
            """
            [[format]]
            id = "f.bad"
            regex = 'to=(?<rcpt>\\S+)'
            [[format.vector]]
            line = "to=x"
            recipient = "x"
            """)
        #expect(p.contains { $0.message.contains("needs `prefilter`") })
        #expect(p.contains { $0.message.contains("(?<recipient>") })
        #expect(p.contains { $0.message.contains("unknown capture name `rcpt`") })
    }
}
