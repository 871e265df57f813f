import BounceCore
import TOMLKit

/// Reads pattern files (TOML) into a ``PatternSet``.
///
/// Load order: the default files in name order, then the override files in name order. In an override,
/// an entry whose id (rule, provider, format) or reason (policy) already exists replaces it in place;
/// `disabled = true` alone switches a default rule off; new rules run **before** the default rules of
/// their section, in the order the override files list them; `[settings]` keys override one by one.
public enum PatternLoader {
    /// Builds a set from default files and optional override files.
    ///
    /// `locate: false` skips finding each rule's and vector's line in its file, which is most of the
    /// loading time: for one-shot commands (`ingest-mail`, `classify`) that never report a vector's line.
    /// It also takes a file that is byte for byte an embedded default file from the form generated at build
    /// time instead of its TOML (``CompiledPatternFile``; its rules carry no test vectors, which only
    /// `check-patterns` runs, with `locate`).
    /// A set with problems is then loaded again with lines, so errors always say where.
    /// - Throws: ``PatternLoadError`` listing every problem with its file and line.
    public static func load(defaults: [PatternSource], overrides: [PatternSource] = [], locate: Bool = true) throws
        -> PatternSet
    {
        do {
            return try load(defaults, overrides, locate: locate)
        } catch is PatternLoadError where !locate {
            return try load(defaults, overrides, locate: true)
        }
    }

    private static func load(_ defaults: [PatternSource], _ overrides: [PatternSource], locate: Bool) throws
        -> PatternSet
    {
        var problems: [PatternProblem] = []
        let base = defaults.sorted { $0.name < $1.name }.map { parseFile($0, locate: locate, &problems) }
        let local = overrides.sorted { $0.name < $1.name }.map { parseFile($0, locate: locate, &problems) }
        guard problems.isEmpty else { throw PatternLoadError(problems: problems) }

        var m = Merged()
        for f in base { m.add(f, override: false, &problems) }
        var newRules: [Rule] = []
        for f in local { m.add(f, override: true, &problems, newRules: &newRules) }
        // New local rules go before the defaults of their section (a stable sort by section keeps that).
        let rules = resolveSharedText(newRules + m.rules, &problems)
        let set = PatternSet(
            providers: m.providers, rules: rules, policy: m.policy, settings: m.settings, formats: m.formats,
            sources: (defaults.map(\.name).sorted()) + overrides.map(\.name).sorted())
        validate(set, &problems)
        guard problems.isEmpty else { throw PatternLoadError(problems: problems) }
        return set
    }

    // MARK: - One file

    struct ParsedFile {
        var name: String
        var providers: [Provider] = []
        var rules: [Rule] = []
        /// Ids given only `disabled = true` (an override switching a default off).
        var disables: [(id: String, location: SourceLocation)] = []
        var policy: [ReasonPolicy] = []
        var settings: [(key: String, value: any TOMLValueConvertible, location: SourceLocation)] = []
        var formats: [LineFormat] = []
    }

    /// `compiled: false` always reads the TOML (the generator, and tests comparing the two).
    static func parseFile(
        _ src: PatternSource, locate: Bool = true, compiled: Bool = true, _ problems: inout [PatternProblem]
    ) -> ParsedFile {
        // A default file as shipped: its form generated at build time, not its TOML (most of a one-shot
        // command's start-up; see docs/design/2026-12-03-pattern-load.md). Never with `locate`, whose
        // callers want lines and vectors.
        if !locate, compiled, let form = CompiledPatternFile.embedded(for: src) { return form }
        var f = ParsedFile(name: src.name)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: src.text)
        } catch let e as TOMLParseError {
            problems.append(
                .init(
                    location: .init(file: src.name, line: e.source.begin.line), message: "TOML syntax: \(e.description)"
                ))
            return f
        } catch {
            problems.append(.init(location: .init(file: src.name, line: 0), message: "TOML syntax: \(error)"))
            return f
        }
        let lines = locate ? LineIndex(text: src.text, file: src.name) : LineIndex(unlocatedFile: src.name)
        for key in table.keys {
            guard let value = table[key] else { continue }
            switch key {
            case "settings":
                guard let t = value.table else {
                    problems.append(.init(location: lines.header(key), message: "`settings` must be a table"))
                    continue
                }
                for k in t.keys { if let v = t[k] { f.settings.append((k, v, lines.key(k))) } }
            case "provider", "policy", "format", "provider_rule", "probe", "code", "default":
                guard let arr = value.array else {
                    problems.append(
                        .init(
                            location: lines.header(key),
                            message: "`\(key)` must be an array of tables: write [[\(key)]]"))
                    continue
                }
                for (i, item) in arr.enumerated() {
                    guard let t = item.table else {
                        problems.append(
                            .init(location: lines.header(key), message: "entry \(i + 1) of `\(key)` is not a table"))
                        continue
                    }
                    var r = TableReader(table: t, kind: key, lines: lines, index: i)
                    switch key {
                    case "provider": if let p = readProvider(&r) { f.providers.append(p) }
                    case "policy": if let p = readPolicy(&r) { f.policy.append(p) }
                    case "format": if let x = readFormat(&r) { f.formats.append(x) }
                    default:
                        let section = RuleSection(rawValue: key)!
                        if t.keys.sorted() == ["disabled", "id"], let id = t["id"]?.string, t["disabled"]?.bool == true
                        {
                            f.disables.append((id, lines.id(id, kind: key)))
                        } else if let rule = readRule(&r, section: section) {
                            f.rules.append(rule)
                        }
                    }
                    problems += r.problems
                }
            default:
                problems.append(
                    .init(
                        location: lines.header(key),
                        message:
                            "unknown table `\(key)`; expected settings, provider, provider_rule, probe, code, default, policy or format"
                    ))
            }
        }
        return f
    }

    static func readProvider(_ r: inout TableReader) -> Provider? {
        guard let id = r.requiredString("id") else { return nil }
        let p = Provider(
            id: id, hosts: r.strings("hosts").map { $0.lowercased() },
            domains: r.strings("domains").map { $0.lowercased() },
            location: r.location)
        if p.hosts.isEmpty && p.domains.isEmpty { r.fail("provider `\(id)` needs `hosts` or `domains`") }
        r.rejectUnknown(["id", "hosts", "domains", "description", "source"])
        return p
    }

    static func readPolicy(_ r: inout TableReader) -> ReasonPolicy? {
        guard let reason = r.requiredString("reason") else { return nil }
        r.locateBy(key: "reason", value: reason)
        if !SisimaiReason.all.contains(reason) {
            r.fail(
                "unknown reason `\(reason)`; use one of Sisimai's names (\(SisimaiReason.all.sorted().joined(separator: ", ")))"
            )
        }
        let type = r.enumValue("type", BounceType.self) ?? .soft
        let fault = r.enumValue("fault", Fault.self) ?? .unknown
        let action = r.enumValue("action", ForwardAction.self) ?? (fault == .sender ? .hold : .forward)
        if r.table["type"] == nil { r.fail("policy for `\(reason)` needs `type` (hard or soft)") }
        if r.table["fault"] == nil {
            r.fail("policy for `\(reason)` needs `fault` (recipient, sender, remote or unknown)")
        }
        let soft = r.bool("soft_when_temporary") ?? false
        r.rejectUnknown(["reason", "type", "fault", "action", "soft_when_temporary", "description"])
        return ReasonPolicy(
            reason: reason, type: type, fault: fault, action: action, softWhenTemporary: soft, location: r.location)
    }

    static func readFormat(_ r: inout TableReader) -> LineFormat? {
        guard let id = r.requiredString("id") else { return nil }
        let prefilter = r.strings("prefilter")
        if prefilter.isEmpty || prefilter.contains(where: \.isEmpty) {
            r.fail(
                "format `\(id)` needs `prefilter`: one or more literals every matching line contains (the regex runs only on those lines)"
            )
        }
        let mta = r.enumValue("mta", MTA.self) ?? .postfix
        var map: [String: DeliveryStatus] = [:]
        if let t = r.table["status_map"]?.table {
            for k in t.keys {
                if let s = t[k]?.string, let st = DeliveryStatus(rawValue: s) {
                    map[k.lowercased()] = st
                } else {
                    r.fail("format `\(id)`: status_map.\(k) must be one of sent, deferred, bounced, expired, other")
                }
            }
        }
        guard let pattern = r.requiredString("regex") else { return nil }
        let regex: CompiledRegex
        do { regex = try CompiledRegex(pattern) } catch {
            r.fail("format `\(id)`: the regex does not compile: \(error)")
            return nil
        }
        let names = regex.groupNames
        for req in LineFormat.requiredCaptures where !names.contains(req) {
            r.fail("format `\(id)`: the regex needs a named capture (?<\(req)>...)")
        }
        for n in names where !LineFormat.captureNames.contains(n) {
            r.fail(
                "format `\(id)`: unknown capture name `\(n)`; known: \(LineFormat.captureNames.joined(separator: ", "))"
            )
        }
        var vectors: [FormatVector] = []
        for (i, t) in r.tables("vector").enumerated() {
            var v = TableReader(table: t, kind: "format.vector", lines: r.lines, index: i)
            v.location = r.lines.nth(.line, after: r.location.line, n: i) ?? r.location
            let line = v.requiredString("line") ?? ""
            let rcpt = v.requiredString("recipient") ?? ""
            let st = v.enumValue("status", DeliveryStatus.self) ?? .bounced
            v.rejectUnknown(["line", "recipient", "status"])
            r.problems += v.problems
            vectors.append(FormatVector(line: line, recipient: rcpt, status: st, location: v.location))
        }
        if vectors.isEmpty {
            r.fail("format `\(id)` has no test vector; add [[format.vector]] with line, recipient and status")
        }
        r.rejectUnknown(["id", "mta", "prefilter", "regex", "status_map", "vector", "description", "source"])
        return LineFormat(
            id: id, mta: mta, prefilter: prefilter, regex: regex, statusMap: map, vectors: vectors, location: r.location
        )
    }

    static let ruleKeys: Set<String> = [
        "id", "reason", "provider", "codes", "not_codes", "reply_codes", "stages", "not_stages", "stage_known",
        "statuses", "permanence", "contains", "words", "not_contains", "regex", "same_text_as", "any_text", "disabled",
        "vector", "description", "source", "note", "soft",
    ]

    static func readRule(_ r: inout TableReader, section: RuleSection) -> Rule? {
        guard let id = r.requiredString("id") else { return nil }
        r.location = r.lines.id(id, kind: section.rawValue)
        let reason = SisimaiReason.canonical(r.requiredString("reason") ?? "undefined")
        if !SisimaiReason.all.contains(reason) {
            r.fail(
                "rule `\(id)`: unknown reason `\(reason)`; use one of Sisimai's names (\(SisimaiReason.all.sorted().joined(separator: ", ")))"
            )
        }
        var c = RuleConditions()
        for s in r.strings("codes") {
            if let p = CodePattern(s) {
                c.codes.append(p)
            } else {
                r.fail(
                    "rule `\(id)`: `\(s)` is not an enhanced code pattern (X.Y.Z with X in 2, 4, 5; `*` for any part)")
            }
        }
        for s in r.strings("not_codes") {
            if let p = CodePattern(s) {
                c.notCodes.append(p)
            } else {
                r.fail(
                    "rule `\(id)`: `\(s)` in not_codes is not an enhanced code pattern (X.Y.Z with X in 2, 4, 5; `*` for any part)"
                )
            }
        }
        c.replyCodes = r.ints("reply_codes")
        for v in c.replyCodes where !(2...5).contains(v) && !(20...59).contains(v) && !(200...599).contains(v) {
            r.fail("rule `\(id)`: reply code \(v) is not a class (5), a prefix (55) or a code (550)")
        }
        c.stages = r.enumList("stages", SMTPStage.self)
        c.notStages = r.enumList("not_stages", SMTPStage.self)
        c.stageKnown = r.bool("stage_known")
        c.statuses = r.enumList("statuses", DeliveryStatus.self)
        c.permanence = r.enumValue("permanence", Permanence.self)
        // Literals take the form texts take before matching (lower case; non-ASCII folded for width,
        // case and accents), so a rule may be written as the server writes it.
        c.contains = r.strings("contains").map(TextNormalizer.foldLiteral)
        c.notContains = r.strings("not_contains").map(TextNormalizer.foldLiteral)
        for a in r.table["words"]?.array ?? TOMLArray() {
            guard let list = a.array?.compactMap({ $0.string.map(TextNormalizer.foldLiteral) }), !list.isEmpty else {
                r.fail("rule `\(id)`: `words` is a list of word lists, e.g. words = [[\"mailbox\", \"full\"]]")
                continue
            }
            c.words.append(list)
        }
        for lit in c.contains + c.notContains + c.words.flatMap({ $0 }) {
            if lit.isEmpty { r.fail("rule `\(id)`: an empty literal matches everything; remove it") }
            if let why = unmatchable(lit) { r.fail("rule `\(id)`: literal \"\(lit)\" can never match: \(why)") }
        }
        if let pattern = r.string("regex") {
            // The regex runs on folded text, so fold its non-ASCII letters too (its ASCII syntax stays).
            do { c.regex = try CompiledRegex(UnicodeFold.foldNonASCII(pattern)) } catch {
                r.fail("rule `\(id)`: the regex does not compile: \(error)")
            }
            if c.contains.isEmpty && c.words.isEmpty {
                r.fail(
                    "rule `\(id)`: a regex needs a literal pre-filter: add `contains` or `words` that every match includes"
                )
            }
        }
        c.anyText = r.bool("any_text") ?? false
        if let other = r.string("same_text_as") {
            if c.testsText || !c.notContains.isEmpty {
                r.fail(
                    "rule `\(id)`: `same_text_as` takes its text conditions from `\(other)`; remove contains, words, not_contains and regex here"
                )
            }
            c.sameTextAs = other
        }
        let provider = r.string("provider")
        if section == .provider, provider == nil {
            r.fail("provider rule `\(id)` needs `provider` (the id of a [[provider]])")
        }
        if section != .provider, provider != nil {
            r.fail("rule `\(id)`: `provider` is only allowed in [[provider_rule]]")
        }
        let conditionCount =
            c.codes.count + c.replyCodes.count + c.stages.count + c.statuses.count
            + (c.permanence == nil ? 0 : 1) + (c.testsText ? 1 : 0) + (c.sameTextAs == nil ? 0 : 1)
            + (c.stageKnown == nil ? 0 : 1)
        if conditionCount == 0 && section != .default {
            r.fail("rule `\(id)` has no condition and would match every failure; add codes, stages or text")
        }
        let disabled = r.bool("disabled") ?? false
        var vectors: [TestVector] = []
        for (i, t) in r.tables("vector").enumerated() {
            var v = TableReader(table: t, kind: "\(section.rawValue).vector", lines: r.lines, index: i)
            v.location = r.lines.nth(.expect, after: r.location.line, n: i) ?? r.location
            let expect = SisimaiReason.canonical(v.requiredString("expect") ?? "")
            if !expect.isEmpty, !SisimaiReason.all.contains(expect) {
                v.fail("rule `\(id)`: vector expects unknown reason `\(expect)`")
            }
            let vec = TestVector(
                text: v.string("text") ?? "", dsn: v.string("dsn"), replyCode: v.int("reply"),
                stage: v.enumValue("stage", SMTPStage.self),
                status: v.enumValue("status", DeliveryStatus.self) ?? .bounced,
                host: v.string("host"), domain: v.string("domain"), expectReason: expect,
                expectType: v.enumValue("type", BounceType.self), expectRule: v.string("rule"), location: v.location)
            v.rejectUnknown(["text", "dsn", "reply", "stage", "status", "host", "domain", "expect", "type", "rule"])
            r.problems += v.problems
            vectors.append(vec)
        }
        if vectors.isEmpty && !disabled {
            r.fail("rule `\(id)` has no test vector; add [[\(section.rawValue).vector]] with text and expect")
        }
        let sources = r.strings("source")
        if sources.contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            r.fail("rule `\(id)`: an empty `source`; cite a URL, an RFC section or owner/repo/path@commit")
        }
        let soft = r.bool("soft") ?? false
        if soft, r.string("note") == nil {
            r.fail(
                "rule `\(id)`: `soft = true` needs a `note` saying why this text is not a final failure (it goes into the evidence)"
            )
        }
        r.rejectUnknown(ruleKeys)
        return Rule(
            id: id, section: section, provider: provider, reason: reason, conditions: c, disabled: disabled,
            vectors: vectors, location: r.location, sources: sources, note: r.string("note"), soft: soft)
    }

    /// Copies the text conditions named by `same_text_as` into each rule that has it. Runs on the merged
    /// set, so an override that replaces the named rule changes both.
    static func resolveSharedText(_ rules: [Rule], _ problems: inout [PatternProblem]) -> [Rule] {
        // Positions, not copies: the rules are large values and most name no other rule.
        guard rules.contains(where: { $0.conditions.sameTextAs != nil }) else { return rules }
        var byID: [String: Int] = [:]
        for (i, r) in rules.enumerated() { byID[r.id] = i }
        return rules.map { rule in
            guard let other = rule.conditions.sameTextAs else { return rule }
            guard let source = byID[other].map({ rules[$0] }) else {
                problems.append(
                    .init(
                        location: rule.location,
                        message: "rule `\(rule.id)`: same_text_as names `\(other)`, which is not a rule in the set"))
                return rule
            }
            guard source.conditions.sameTextAs == nil, source.conditions.testsText else {
                problems.append(
                    .init(
                        location: rule.location,
                        message:
                            "rule `\(rule.id)`: same_text_as must name a rule with its own contains/words/regex; `\(other)` has none"
                    ))
                return rule
            }
            var r = rule
            r.conditions.contains = source.conditions.contains
            r.conditions.words = source.conditions.words
            r.conditions.notContains = source.conditions.notContains
            r.conditions.regex = source.conditions.regex
            return r
        }
    }

    /// Why a literal can never occur in normalised text, or nil when it can.
    static func unmatchable(_ lit: String) -> String? {
        // Bytes, not Foundation's `contains`: this runs for every literal of every rule at each start-up.
        if lit.utf8.contains(UInt8(ascii: "@")) { return "addresses are collapsed to `@` before matching" }
        var run = 0
        for c in lit.utf8 {
            run = TextCodes.isDigit(c) ? run + 1 : 0
            if run >= 5 { return "digit runs of five or more are collapsed to `#` before matching" }
        }
        if lit.utf8.contains(UInt8(ascii: "\t"))
            || zip(lit.utf8, lit.utf8.dropFirst()).contains(where: { $0 == 0x20 && $1 == 0x20 })
        {
            return "white space is collapsed to one space before matching"
        }
        // The normaliser turns a run of 10+ letters, digits, `#` and `-` holding both a digit (or `#`) and a
        // letter into `#`; a literal holding such a run whole can never be seen.
        let bytes = Array(lit.utf8)
        var i = 0
        while i < bytes.count {
            guard TextNormalizer.isAlnum(bytes[i]) || bytes[i] == 0x23 else {
                i += 1
                continue
            }
            var j = i
            var digits = false
            var letters = false
            while j < bytes.count, TextNormalizer.isAlnum(bytes[j]) || bytes[j] == 0x23 || bytes[j] == 0x2D {
                if TextCodes.isDigit(bytes[j]) || bytes[j] == 0x23 {
                    digits = true
                } else if bytes[j] != 0x2D {
                    letters = true
                }
                j += 1
            }
            // Text around the literal can only lengthen the run, so it is collapsed whatever surrounds it.
            if j - i >= 10, digits, letters {
                return
                    "`\(String(decoding: bytes[i..<j], as: UTF8.self))` mixes letters and digits over 10 characters and is collapsed to `#` before matching"
            }
            i = j
        }
        return nil
    }

    // MARK: - Merging

    struct Merged {
        var providers: [Provider] = []
        private(set) var rules: [Rule] = []
        var policy: [String: ReasonPolicy] = [:]
        var settings = PatternSettings()
        var formats: [LineFormat] = []
        /// Where each rule id sits in `rules`: a linear search per rule made merging quadratic.
        private var ruleIndex: [String: Int] = [:]

        /// The index of the rule `id` in `rules` (only `add` changes `rules`, and it keeps the index).
        private func indexOfRule(_ id: String) -> Int? { ruleIndex[id] }

        mutating func add(_ f: ParsedFile, override: Bool, _ problems: inout [PatternProblem]) {
            var unused: [Rule] = []
            add(f, override: override, &problems, newRules: &unused)
        }

        mutating func add(_ f: ParsedFile, override: Bool, _ problems: inout [PatternProblem], newRules: inout [Rule]) {
            for p in f.providers {
                if let i = providers.firstIndex(where: { $0.id == p.id }) {
                    if override {
                        providers[i] = p
                    } else {
                        problems.append(
                            .init(
                                location: p.location,
                                message: "duplicate provider id `\(p.id)` (first at \(providers[i].location))"))
                    }
                } else {
                    providers.append(p)
                }
            }
            for p in f.policy {
                if let old = policy[p.reason], !override {
                    problems.append(
                        .init(
                            location: p.location,
                            message: "duplicate policy for `\(p.reason)` (first at \(old.location))"))
                } else {
                    policy[p.reason] = p
                }
            }
            for (key, value, loc) in f.settings {
                switch key {
                case "forward_sender_fault":
                    if let b = value.bool {
                        settings.forwardSenderFault = b
                    } else {
                        problems.append(
                            .init(location: loc, message: "settings.forward_sender_fault must be true or false"))
                    }
                case "reason_with_text", "reason_without_text":
                    guard let s = value.string, SisimaiReason.all.contains(s) else {
                        problems.append(.init(location: loc, message: "settings.\(key) must be a Sisimai reason name"))
                        continue
                    }
                    if key == "reason_with_text" { settings.reasonWithText = s } else { settings.reasonWithoutText = s }
                default:
                    problems.append(
                        .init(
                            location: loc,
                            message:
                                "unknown setting `\(key)`; known: forward_sender_fault, reason_with_text, reason_without_text"
                        ))
                }
            }
            for x in f.formats {
                if let i = formats.firstIndex(where: { $0.id == x.id }) {
                    if override {
                        formats[i] = x
                    } else {
                        problems.append(
                            .init(
                                location: x.location,
                                message: "duplicate format id `\(x.id)` (first at \(formats[i].location))"))
                    }
                } else {
                    formats.append(x)
                }
            }
            var seenHere: [String: SourceLocation] = [:]
            for var r in f.rules {
                r.origin = override ? .override : .packaged
                if let first = seenHere[r.id] {
                    problems.append(
                        .init(location: r.location, message: "duplicate rule id `\(r.id)` (first at \(first))"))
                    continue
                }
                seenHere[r.id] = r.location
                if let i = indexOfRule(r.id) {
                    if !override {
                        problems.append(
                            .init(
                                location: r.location,
                                message: "duplicate rule id `\(r.id)` (first at \(rules[i].location))"))
                    } else if rules[i].section != r.section {
                        problems.append(
                            .init(
                                location: r.location,
                                message:
                                    "rule `\(r.id)` replaces a [[\(rules[i].section.rawValue)]] rule but is a [[\(r.section.rawValue)]]; keep the section or pick a new id"
                            ))
                    } else {
                        rules[i] = r
                    }
                } else if let j = newRules.firstIndex(where: { $0.id == r.id }) {
                    newRules[j] = r
                } else if override {
                    newRules.append(r)
                } else {
                    ruleIndex[r.id] = rules.count
                    rules.append(r)
                }
            }
            // `disabled = true` alone keeps the default rule's text, sources and origin.
            for (id, loc) in f.disables {
                if let i = rules.firstIndex(where: { $0.id == id }) {
                    rules[i].disabled = true
                } else if let j = newRules.firstIndex(where: { $0.id == id }) {
                    newRules[j].disabled = true
                } else {
                    problems.append(.init(location: loc, message: "`disabled = true` for unknown rule id `\(id)`"))
                }
            }
        }
    }

    // MARK: - Whole-set checks

    static func validate(_ set: PatternSet, _ problems: inout [PatternProblem]) {
        let providerIDs = Set(set.providers.map(\.id))
        for r in set.rules {
            if let p = r.provider, !providerIDs.contains(p) {
                problems.append(
                    .init(
                        location: r.location,
                        message: "rule `\(r.id)` names provider `\(p)`, which no [[provider]] defines"))
            }
            if set.policy[r.reason] == nil {
                problems.append(
                    .init(
                        location: r.location,
                        message: "rule `\(r.id)` yields `\(r.reason)`, which has no [[policy]] entry"))
            }
        }
        for name in [set.settings.reasonWithText, set.settings.reasonWithoutText] where set.policy[name] == nil {
            problems.append(
                .init(
                    location: .init(file: set.sources.first ?? "patterns", line: 0),
                    message: "no [[policy]] entry for the fallback reason `\(name)`"))
        }
    }
}
