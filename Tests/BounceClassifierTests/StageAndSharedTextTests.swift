import BounceCore
import Testing

@testable import BounceClassifier

/// `stage_known`, `not_codes` and `same_text_as`: the conditions that let a rule say "these words, but only
/// when the line cannot tell us the stage", as Sisimai's text-only "user unknown" needs.
@Suite struct StageAndSharedTextTests {
    @Test func unstagedUserUnknownReplyIsFilteredButStagedOrCodedStaysHard() throws {
        let c = try Classifier(set: defaultSet())
        let unstaged = c.classify(failure("host mx.example.org[ip] said: 550 <nobody@example.org>: User unknown"))
        #expect(unstaged.reason == "filtered" && unstaged.type == .soft)
        #expect(unstaged.rule == "probe.filtered.unstaged-reply")
        #expect(unstaged.evidence.contains("no SMTP stage"))
        let staged = c.classify(
            failure("host mx.example.org[ip] said: 550 <nobody@example.org>: User unknown", stage: .rcpt))
        #expect(staged.reason == "userunknown" && staged.type == .hard)
        // An x.1.x code backs the words: still a dead address without the stage.
        let coded = c.classify(failure("550 5.1.1 <nobody@example.org>: User unknown", dsn: "5.1.1"))
        #expect(coded.reason == "userunknown")
        // A local delivery agent gives its verdict with an x.1.x code (Postfix local: dsn=5.1.1).
        #expect(c.classify(failure("unknown user: \"nobody\"", dsn: "5.1.1")).reason == "userunknown")
        // Without stage or code, a reply's words alone stay soft (go-sisimai reason/why-userunknown.go) ...
        #expect(c.classify(failure("550 unknown user nobody")).reason == "filtered")
        #expect(c.classify(failure("Unknown user")).type == .soft)
        // ... but a delivery agent's own verdict in its own words is not a reply that lost its stage
        // (Postfix local/unknown.c, Sisimai's MDA table and IMail/Notes decoders): hard.
        for text in [
            "unknown user: \"nobody\"", "mail.local: unknown user: nobody", "Unknown user: nobody@example.org",
            "User not listed in public Name & Address Book",
        ] {
            let v = c.classify(failure(text))
            #expect(v.reason == "userunknown" && v.type == .hard, "\(text)")
            #expect(v.rule == "probe.userunknown.delivery-agent", "\(text)")
        }
        // A remote report that only quotes the words is still a reply without its stage.
        #expect(
            c.classify(failure("5.3.0 - Other mail system problem 'Unknown user nobody@example.org'")).type == .soft)
    }

    @Test func emptyAddressSlotIsAFilterNotAnUnknownUser() throws {
        let c = try Classifier(set: defaultSet())
        for text in [
            "550 : User unknown", "550: : User unknown", "Remote Server returned '550 5.1.351 x -> 550 : User unknown'",
        ] {
            #expect(c.classify(failure(text, stage: .rcpt)).reason == "filtered", "\(text)")
        }
        #expect(c.classify(failure("550 <someone@ezweb.ne.jp>: User unknown", stage: .rcpt)).reason == "userunknown")
        // "5.5.0 : user unknown" is not a reply code followed by an empty slot.
        #expect(c.classify(failure("5.5.0 : user unknown", stage: .rcpt)).reason == "userunknown")
    }

    @Test func notCodesRulesOutAndMissingCodeDoesNot() throws {
        let set = try PatternLoader.load(
            defaults: EmbeddedPatterns.sources,
            overrides: [
                PatternSource(
                    name: "site.toml",
                    text: """
                        [[probe]]
                        id = "site.gone"
                        reason = "hasmoved"
                        not_codes = ["5.7.*"]
                        contains = ["gone fishing"]
                        vector = [{ text = "550 gone fishing", expect = "hasmoved" }]
                        """)
            ])
        let c = Classifier(set: set)
        #expect(c.classify(failure("550 gone fishing")).rule == "site.gone")
        #expect(c.classify(failure("550 5.7.1 gone fishing", dsn: "5.7.1")).rule != "site.gone")
        #expect(c.classify(failure("550 5.2.0 gone fishing", dsn: "5.2.0")).rule == "site.gone")
    }

    @Test func stageKnownTrueNeedsAStage() throws {
        let set = try PatternLoader.load(
            defaults: EmbeddedPatterns.sources,
            overrides: [
                PatternSource(
                    name: "site.toml",
                    text: """
                        [[probe]]
                        id = "site.staged"
                        reason = "blocked"
                        stage_known = true
                        contains = ["go away"]
                        vector = [{ text = "550 go away", stage = "CONN", expect = "blocked" }]
                        """)
            ])
        let c = Classifier(set: set)
        #expect(c.classify(failure("550 go away", stage: .conn)).rule == "site.staged")
        #expect(c.classify(failure("550 go away")).rule != "site.staged")
    }

    @Test func sharedTextFollowsAnOverrideOfTheNamedRule() throws {
        // Replacing probe.userunknown.text's literals changes the unstaged probe too.
        let set = try PatternLoader.load(
            defaults: EmbeddedPatterns.sources,
            overrides: [
                PatternSource(
                    name: "site.toml",
                    text: """
                        [[probe]]
                        id = "probe.userunknown.text"
                        reason = "userunknown"
                        not_stages = ["DATA", "MAIL"]
                        contains = ["nobody by that name"]
                        vector = [{ text = "550 nobody by that name", stage = "RCPT", expect = "userunknown" }]
                        """)
            ])
        let shared = try #require(set.rules.first { $0.id == "probe.filtered.unstaged-reply" })
        #expect(shared.conditions.contains == ["nobody by that name"])
        let c = Classifier(set: set)
        #expect(c.classify(failure("550 nobody by that name")).rule == "probe.filtered.unstaged-reply")
    }

    /// A rule's own keys (between its `reason` and its vector) and the problem the loader must report at the
    /// rule's line 2 (its `id`).
    static let sharedTextErrors: [(keys: String, problem: String)] = [
        ("same_text_as = \"probe.does-not-exist\"", "`probe.does-not-exist`, which is not a rule"),
        (
            "contains = [\"x\"]\nsame_text_as = \"probe.userunknown.text\"",
            "remove contains, words, not_contains and regex here"
        ),
        ("same_text_as = \"code.userunknown\"", "must name a rule with its own contains/words/regex"),
        ("not_codes = [\"9.9.9\"]\ncontains = [\"x\"]", "in not_codes is not an enhanced code pattern"),
    ]

    @Test(arguments: sharedTextErrors)
    func sharedTextErrorsNameTheRule(keys: String, problem: String) {
        let text = """
            [[probe]]
            id = "site.a"
            reason = "filtered"
            \(keys)
            vector = [{ text = "x", expect = "filtered" }]
            """
        var problems: [String] = []
        do {
            _ = try PatternLoader.load(
                defaults: EmbeddedPatterns.sources, overrides: [PatternSource(name: "bad.toml", text: text)])
        } catch let e as PatternLoadError {
            problems = e.problems.map { "\($0.location.file):\($0.location.line): \($0.message)" }
        } catch {
            problems = ["\(error)"]
        }
        #expect(problems.contains { $0.hasPrefix("bad.toml:2:") && $0.contains(problem) }, "\(problems)")
    }
}
