import BounceCore
import Foundation
import Testing

@testable import BounceClassifier

/// The compiled form of the default pattern files (generated at build time, used by `locate: false`
/// loads for files that are byte for byte the embedded ones): the same set as the TOML gives, never
/// used when stale or damaged.
@Suite struct CompiledPatternFileTests {
    /// A parsed file as the compiled form carries it: no vectors (only `check-patterns` runs them).
    func withoutVectors(_ f: PatternLoader.ParsedFile) -> PatternLoader.ParsedFile {
        var f = f
        f.rules = f.rules.map { r in
            var r = r
            r.vectors = []
            return r
        }
        f.formats = f.formats.map { x in
            var x = x
            x.vectors = []
            return x
        }
        return f
    }

    func expectSame(_ a: PatternLoader.ParsedFile, _ b: PatternLoader.ParsedFile, _ what: String) {
        #expect(a.name == b.name, "\(what): name")
        #expect(a.providers == b.providers, "\(what): providers")
        #expect(a.rules == b.rules, "\(what): rules")
        #expect(a.disables.map(\.id) == b.disables.map(\.id), "\(what): disables")
        #expect(a.disables.map(\.location) == b.disables.map(\.location), "\(what): disables' locations")
        #expect(a.policy == b.policy, "\(what): policy")
        #expect(a.settings.map(\.key) == b.settings.map(\.key), "\(what): settings")
        #expect(a.settings.map(\.location) == b.settings.map(\.location), "\(what): settings' locations")
        #expect(a.settings.map { $0.value.bool } == b.settings.map { $0.value.bool }, "\(what): settings' values")
        #expect(a.settings.map { $0.value.string } == b.settings.map { $0.value.string }, "\(what): settings' values")
        #expect(a.formats == b.formats, "\(what): formats")
    }

    @Test func everyEmbeddedFileHasAFreshForm() throws {
        for src in EmbeddedPatterns.sources {
            #expect(
                CompiledPatternFile.embedded(for: src) != nil,
                "\(src.name) has no current compiled form: run scripts/embed-patterns.sh")
        }
    }

    @Test func generatedFileIsCurrent() throws {
        let path = repoRoot() + "/Sources/BounceClassifier/EmbeddedCompiledPatterns.swift"
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            committed == CompiledPatternFile.generatedSource(),
            "EmbeddedCompiledPatterns.swift is stale: run scripts/embed-patterns.sh")
    }

    @Test func formGivesWhatTheTOMLGives() throws {
        for src in EmbeddedPatterns.sources {
            var problems: [PatternProblem] = []
            let toml = PatternLoader.parseFile(src, locate: false, compiled: false, &problems)
            #expect(problems.isEmpty)
            let form = try #require(CompiledPatternFile.embedded(for: src))
            expectSame(form, withoutVectors(toml), src.name)
        }
    }

    @Test func wholeSetIsTheLocatedSetWithoutLinesAndVectors() throws {
        let located = try PatternLoader.load(defaults: EmbeddedPatterns.sources)
        let fast = try PatternLoader.load(defaults: EmbeddedPatterns.sources, locate: false)
        let expected = located.rules.map { r in
            var r = r
            r.vectors = []
            r.location.line = 0
            return r
        }
        #expect(fast.rules == expected)
        #expect(fast.providers.map(\.id) == located.providers.map(\.id))
        #expect(fast.policy.mapValues(\.type) == located.policy.mapValues(\.type))
        #expect(fast.settings == located.settings)
        #expect(fast.formats.map(\.regex) == located.formats.map(\.regex))
        // And every vector of the TOML gives the same verdict with the compiled set.
        var withVectors = fast
        let byID = Dictionary(uniqueKeysWithValues: located.rules.map { ($0.id, $0.vectors) })
        for i in withVectors.rules.indices { withVectors.rules[i].vectors = byID[withVectors.rules[i].id] ?? [] }
        let formVectors = Dictionary(uniqueKeysWithValues: located.formats.map { ($0.id, $0.vectors) })
        for i in withVectors.formats.indices {
            withVectors.formats[i].vectors = formVectors[withVectors.formats[i].id] ?? []
        }
        let failures = checkPatterns(withVectors)
        for f in failures { Issue.record("\(f)") }
        #expect(failures.isEmpty)
    }

    @Test func everyRegexOfTheFormsCompiles() throws {
        // The forms compile their regexes on first use, trusting that they compiled when generated.
        var count = 0
        for src in EmbeddedPatterns.sources {
            let form = try #require(CompiledPatternFile.embedded(for: src))
            for p in form.rules.compactMap(\.conditions.regex?.pattern) + form.formats.map(\.regex.pattern) {
                #expect(throws: Never.self) { try CompiledRegex(p) }
                count += 1
            }
        }
        #expect(count > 10)
        // And a lazily compiled one matches as an eagerly compiled one does.
        let lazy = CompiledRegex(compiledBefore: "mailbox (is )?full")
        #expect(lazy.matches("552 Mailbox is full"))
        #expect(!lazy.matches("552 mailbox unknown"))
    }

    @Test func installedCopyOnDiskUsesTheFormUnderItsOwnName() throws {
        let dir = repoRoot() + "/patterns"
        for src in try PatternLoader.sources(inDirectory: dir) {
            let form = try #require(CompiledPatternFile.embedded(for: src), "\(src.name)")
            #expect(form.name == src.name)
            #expect(form.rules.allSatisfy { $0.location.file == src.name })
        }
    }

    @Test func anEditedFileIsReadFromItsTOML() throws {
        let codes = try #require(EmbeddedPatterns.sources.first { $0.name == "patterns/codes.toml" })
        // One byte changed: the rule now yields another reason, which only the TOML knows.
        let edited = PatternSource(
            name: codes.name,
            text: codes.text.replacingOccurrences(
                of: "id = \"code.userunknown\"\ndescription", with: "id = \"code.userunknowX\"\ndescription"))
        #expect(edited.text != codes.text)
        #expect(CompiledPatternFile.embedded(for: edited) == nil)
        let others = EmbeddedPatterns.sources.filter { $0.name != codes.name }
        let set = try PatternLoader.load(defaults: others + [edited], locate: false)
        #expect(set.rule(id: "code.userunknowX") != nil)
        #expect(set.rule(id: "code.userunknown") == nil)
        // Same length, other bytes: still not taken for the embedded file.
        let sameLength = PatternSource(
            name: codes.name, text: codes.text.replacingOccurrences(of: "userunknown\"", with: "userunknowX\""))
        #expect(sameLength.text.utf8.count == codes.text.utf8.count)
        #expect(CompiledPatternFile.embedded(for: sameLength) == nil)
    }

    @Test func aStaleFormIsNotUsed() throws {
        let src = EmbeddedPatterns.sources[0]
        let current = try #require(EmbeddedCompiledPatterns.files.first { $0.name == src.name })
        // A form generated from another text (the generated file not re-made after an edit).
        let stale = [(name: current.name, fingerprint: current.fingerprint ^ 1, form: current.form)]
        #expect(CompiledPatternFile.embedded(for: src, forms: stale) == nil)
        #expect(CompiledPatternFile.embedded(for: src, forms: [current]) != nil)
        #expect(CompiledPatternFile.embedded(for: src, forms: []) == nil)
    }

    @Test func aDamagedFormIsIgnored() throws {
        let src = EmbeddedPatterns.sources[0]
        let current = try #require(EmbeddedCompiledPatterns.files.first { $0.name == src.name })
        let bytes = Array(try #require(Data(base64Encoded: current.form, options: .ignoreUnknownCharacters)))
        #expect(CompiledPatternFile.decode(bytes, name: src.name) != nil)
        // Cut short, one byte longer, another version, or not base64 at all: not used.
        #expect(CompiledPatternFile.decode(Array(bytes.dropLast()), name: src.name) == nil)
        #expect(CompiledPatternFile.decode(Array(bytes.prefix(bytes.count / 2)), name: src.name) == nil)
        #expect(CompiledPatternFile.decode(bytes + [0], name: src.name) == nil)
        #expect(CompiledPatternFile.decode([2] + bytes.dropFirst(), name: src.name) == nil)
        #expect(CompiledPatternFile.decode([], name: src.name) == nil)
        let garbage = [(name: current.name, fingerprint: current.fingerprint, form: "!!not base64!!")]
        #expect(CompiledPatternFile.embedded(for: src, forms: garbage) == nil)
        // Every single-byte change either fails to decode or decodes to a different file (never a crash).
        var changed = 0
        for i in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 200)) {
            var b = bytes
            b[i] ^= 0xFF
            if let f = CompiledPatternFile.decode(b, name: src.name) {
                changed += 1
                _ = f
            }
        }
        #expect(changed < 200)
    }

    @Test func everyKindOfEntryRoundTrips() throws {
        let src = PatternSource(
            name: "all.toml",
            text: #"""
                [settings]
                forward_sender_fault = true
                reason_with_text = "onhold"

                [[provider]]
                id = "ex"
                hosts = ["MX.Example.org"]
                domains = ["example.org"]

                [[provider_rule]]
                id = "ex.full"
                provider = "ex"
                reason = "mailboxfull"
                codes = ["5.2.*"]
                not_codes = ["5.2.1"]
                reply_codes = [55, 452]
                stages = ["RCPT"]
                not_stages = ["DATA"]
                stage_known = true
                statuses = ["bounced"]
                permanence = "permanent"
                words = [["mailbox", "full"], ["über", "quota"]]
                not_contains = ["spam"]
                regex = 'box (is )?full'
                contains = ["box"]
                source = ["RFC 3463 §3.3"]
                note = "why"
                soft = true
                [[provider_rule.vector]]
                text = "552 mailbox full"
                expect = "mailboxfull"

                [[probe]]
                id = "p.same"
                reason = "mailboxfull"
                same_text_as = "ex.full"
                any_text = false
                vector = [{ text = "552 mailbox full", expect = "mailboxfull" }]

                [[code]]
                id = "code.x"
                disabled = true

                [[default]]
                id = "d.any"
                reason = "onhold"
                any_text = true
                stage_known = false
                vector = [{ text = "x", expect = "onhold" }]

                [[policy]]
                reason = "mailboxfull"
                type = "soft"
                fault = "recipient"
                soft_when_temporary = true

                [[format]]
                id = "f"
                mta = "exim"
                prefilter = [" ** "]
                regex = '(?<recipient>\S+) \*\* (?<status>\w+)'
                status_map = { Failed = "bounced", later = "deferred" }
                vector = [{ line = "a@b ** Failed", recipient = "a@b", status = "bounced" }]
                """#)
        var problems: [PatternProblem] = []
        let toml = PatternLoader.parseFile(src, locate: false, compiled: false, &problems)
        #expect(problems.isEmpty, "\(problems)")
        #expect(toml.settings.count == 2 && toml.disables.count == 1 && toml.formats.count == 1)
        #expect(toml.rules.count == 3 && toml.providers.count == 1 && toml.policy.count == 1)
        let bytes = try #require(CompiledPatternFile.encode(toml))
        let back = try #require(CompiledPatternFile.decode(bytes, name: "all.toml"))
        expectSame(back, withoutVectors(toml), "round trip")
        // Under another name (the installed path), every location names it.
        let moved = try #require(CompiledPatternFile.decode(bytes, name: "/usr/share/x/all.toml"))
        #expect(moved.rules.allSatisfy { $0.location == SourceLocation(file: "/usr/share/x/all.toml", line: 0) })
    }

    @Test func aBrokenOverrideStillSaysWhere() throws {
        // The compiled defaults do not change how a problem in another file is reported.
        let bad = PatternSource(name: "bad.toml", text: "[[probe]]\nid = \"p.x\"\nreason = \"nosuch\"\n")
        do {
            _ = try PatternLoader.load(defaults: EmbeddedPatterns.sources, overrides: [bad], locate: false)
            Issue.record("an unknown reason must be refused")
        } catch let e as PatternLoadError {
            #expect(e.description.contains("bad.toml:2"))
            #expect(e.description.contains("unknown reason `nosuch`"))
        }
    }
}
