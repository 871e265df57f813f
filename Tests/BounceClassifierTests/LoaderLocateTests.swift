import Testing

@testable import BounceClassifier

/// `locate: false` (one-shot commands) must give the same set as a located load, only without lines,
/// and must still say where a problem is.
@Suite struct LoaderLocateTests {
    @Test func unlocatedLoadGivesTheSameRulesAndVerdicts() throws {
        // Not byte for byte the shipped files, so both read the TOML (the compiled form of the shipped ones
        // is compared in CompiledPatternFileTests).
        let edited = EmbeddedPatterns.sources.map { PatternSource(name: $0.name, text: $0.text + "\n# edited\n") }
        let located = try PatternLoader.load(defaults: edited)
        let fast = try PatternLoader.load(defaults: edited, locate: false)
        #expect(fast.rules.map(\.id) == located.rules.map(\.id))
        #expect(fast.rules.map(\.section) == located.rules.map(\.section))
        #expect(fast.rules.map(\.vectors.count) == located.rules.map(\.vectors.count))
        #expect(fast.formats.map(\.id) == located.formats.map(\.id))
        // Both sets pass every vector: the same conditions were read.
        #expect(checkPatterns(fast).filter { $0.message != "rule has no test vector" }.isEmpty)
        #expect(located.rules.allSatisfy { $0.location.line > 0 })
        #expect(fast.rules.allSatisfy { $0.location.line == 0 })
    }

    @Test func unlocatedLoadStillReportsTheLineOfAProblem() throws {
        let bad = PatternSource(
            name: "bad.toml",
            text: """
                [[probe]]
                id = "p.x"
                reason = "mailboxfull"
                contains = ["mailbox full"]
                [[probe.vector]]
                text = "552 mailbox full"
                expect = "nosuchreason"
                """)
        var messages: [String] = []
        for locate in [true, false] {
            do {
                _ = try PatternLoader.load(defaults: EmbeddedPatterns.sources + [bad], locate: locate)
                Issue.record("a vector with an unknown reason must be refused")
            } catch let e as PatternLoadError {
                messages.append(e.description)
            }
        }
        #expect(messages.count == 2)
        #expect(messages[0] == messages[1])
        #expect(messages[0].contains("bad.toml:7"))
    }

    @Test func vectorLinesComeFromTheIndex() throws {
        let text = """
            [[probe]]
            id = "p.a"
            reason = "mailboxfull"
            contains = ["mailbox full"]
            [[probe.vector]]
            text = "552 mailbox full"
            expect = "mailboxfull"
            # expect = "commented out"
            [[probe.vector]]
            text = "452 the mailbox full here"
            expect="mailboxfull"

            [[probe]]
            id = "p.b"
            reason = "mailboxfull"
            contains = ["over quota"]
            vector = [{ text = "552 over quota", expect = "mailboxfull" }, {text = "over quota", expect = "mailboxfull"}]
            """
        let lines = LineIndex(text: text, file: "v.toml")
        #expect(lines.nth(.expect, after: 2, n: 0)?.line == 7)
        #expect(lines.nth(.expect, after: 2, n: 1)?.line == 11)
        #expect(lines.nth(.expect, after: 14, n: 0)?.line == 17)
        #expect(lines.nth(.expect, after: 17, n: 0) == nil)
        #expect(LineIndex.sets(Array("expect=\"x\"".utf8), key: LineIndex.VectorKey.expect.bytes))
        #expect(LineIndex.sets("vector = [{ text = \"a\", expect = \"b\" }]", key: "expect"))
        #expect(!LineIndex.sets("expected = 1", key: "expect"))
        #expect(!LineIndex.sets("text = \"the expect = x\"x", key: "expectx"))
    }

    /// The set runs rules section by section in `allCases` order, keeping each section's order.
    @Test func rulesRunInSectionOrderKeepingTheirOrder() throws {
        #expect(RuleSection.allCases.map(\.order) == Array(0..<RuleSection.allCases.count))
        let set = try PatternLoader.load(defaults: EmbeddedPatterns.sources, locate: false)
        let sections = set.rules.map(\.section)
        #expect(sections == sections.sorted())
        let located = try PatternLoader.load(defaults: EmbeddedPatterns.sources)
        #expect(set.rules.map(\.id) == located.rules.map(\.id))
    }
}
