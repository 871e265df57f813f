import BounceCore
import Synchronization

/// Classifies failed deliveries with a ``PatternSet``: provider rules, then probes, then the code table,
/// then class defaults; the first rule that matches decides the reason, and the set's policy gives the
/// type, fault and forwarding action.
///
/// Thread-safe to share: the set is immutable and the memo is a bounded cache behind a `Mutex`, so one
/// classifier can serve every source and task. Build a new classifier to switch pattern sets (the cache
/// goes with the old one, so a reload never answers from stale rules).
public final class Classifier: Sendable {
    public let set: PatternSet
    private let compiled: [CompiledRule]
    private let memo: Mutex<MemoCache<Key>>
    /// The same answers keyed by the evidence as given, before normalisation: a text that differs only in
    /// ids misses ``memo`` only if it was never classified as given, and a backfill's reading thread
    /// classifies each bounce line as it parses it (``classify(_:)`` from there), so the tracking thread
    /// finds the answer here without normalising the text again. Exact: the answer is a function of the
    /// evidence.
    private let evidenceMemo: Mutex<MemoCache<FailureEvidence>>
    private let citations: [String: [String]]

    /// - Parameter cacheCapacity: memo entries kept per generation (at most twice this many are held).
    public init(set: PatternSet, cacheCapacity: Int = 4096) {
        self.set = set
        self.compiled = set.rules.filter { !$0.disabled }.map(CompiledRule.init)
        self.memo = Mutex(MemoCache(capacity: max(cacheCapacity, 1)))
        self.evidenceMemo = Mutex(MemoCache(capacity: max(cacheCapacity, 1)))
        var citations: [String: [String]] = [:]
        for r in set.rules where !r.sources.isEmpty { citations[r.id] = r.sources }
        self.citations = citations
    }

    /// The sources the rule `id` cites (its `source` key); empty for `none` or a rule that cites none.
    public func sources(ofRule id: String) -> [String] { citations[id] ?? [] }

    /// Classifies one failure (memoised).
    public func classify(_ e: FailureEvidence) -> Classification {
        if let hit = evidenceMemo.withLock({ $0.get(e, counting: false) }) {
            memo.withLock { $0.hits += 1 }
            return hit
        }
        let input = Input(e, providers: set.providers)
        let result: Classification
        if let hit = memo.withLock({ $0.get(input.key) }) {
            result = hit
        } else {
            result = decide(input)
            memo.withLock { $0.put(input.key, result) }
        }
        evidenceMemo.withLock { $0.put(e, result) }
        return result
    }

    /// Classifies without the memo (tests compare both paths).
    public func classifyUncached(_ e: FailureEvidence) -> Classification {
        decide(Input(e, providers: set.providers))
    }

    /// Memo statistics: (hits, misses, entries held in the memo keyed by what the rules see).
    public var cacheStats: (hits: Int, misses: Int, count: Int) {
        memo.withLock { ($0.hits, $0.misses, $0.count) }
    }

    // MARK: - Deciding

    /// What the rules see: everything that can change the answer, and nothing else (this is the memo key).
    struct Key: Hashable {
        var dsn: String?
        var enhancedCode: String?
        var replyCode: Int?
        var stage: SMTPStage?
        var status: DeliveryStatus
        var provider: Int?
        var text: String
    }

    struct Input {
        var key: Key
        var textBytes: [UInt8] = []
        var code: EnhancedCode?
        var codeFromText = false
        var reply: Int?
        var permanence: Permanence?

        init(_ e: FailureEvidence, providers: [Provider]) {
            let provider = providers.firstIndex { $0.matches(host: e.remoteHost, domain: e.recipientDomain) }
            key = Key(
                dsn: e.dsn, enhancedCode: e.enhancedCode, replyCode: e.replyCode, stage: e.smtpStage, status: e.status,
                provider: provider, text: TextNormalizer.normalize(e.diagnostic))
        }

        /// Fills the derived fields from the key alone, so equal keys always decide alike.
        mutating func derive() {
            textBytes = Array(key.text.utf8)
            let dsn = key.dsn.flatMap(EnhancedCode.init)
            let fromText = (key.enhancedCode ?? TextCodes.enhancedCode(in: key.text)).flatMap(EnhancedCode.init)
            if let dsn, !dsn.isGeneric || fromText == nil {
                code = dsn
            } else if let fromText {
                // A generic X.0.0 dsn says only "failed"; the remote's own code in the text is more specific.
                code = fromText
                codeFromText = dsn != nil
            } else {
                code = dsn
            }
            reply = key.replyCode ?? TextCodes.replyCode(in: key.text)
            if let c = code, c.klass != 2 {
                permanence = c.klass == 5 ? .permanent : .temporary
            } else if let r = reply, r >= 400 {
                permanence = r >= 500 ? .permanent : .temporary
            } else {
                permanence = key.status == .bounced ? .permanent : (key.status == .other ? nil : .temporary)
            }
        }
    }

    func decide(_ start: Input) -> Classification {
        var input = start
        input.derive()
        let providerID = input.key.provider.map { set.providers[$0].id }
        var ruleID = "none"
        var reason = input.textBytes.isEmpty ? set.settings.reasonWithoutText : set.settings.reasonWithText
        var used: [String] = []
        var ruleSoftens = false
        // The rules borrowed where they lie: `for r in compiled` copied each (five retains and releases).
        let hit = compiled.withUnsafeBufferPointer { rules -> (Int, [String])? in
            for k in rules.indices {
                if let p = rules[k].rule.provider, p != providerID { continue }
                if let ev = rules[k].match(input) { return (k, ev) }
            }
            return nil
        }
        if let (k, ev) = hit {
            let r = compiled[k]
            ruleID = r.rule.id
            reason = r.rule.reason
            ruleSoftens = r.rule.soft
            used = ev
            if let note = r.rule.note { used.append(note) }
            if let providerID, r.rule.section == .provider { used.insert("provider \(providerID)", at: 0) }
        }
        if ruleID == "none" { used.append(input.textBytes.isEmpty ? "no text; no rule matched" : "no rule matched") }
        if input.codeFromText, let c = input.code, let d = input.key.dsn {
            used.append("code \(c) from text (dsn=\(d) is generic)")
        }
        let policy =
            set.policy[reason]
            ?? ReasonPolicy(
                reason: reason, type: .soft, fault: .unknown, action: .forward, location: .init(file: "", line: 0))
        var type = policy.type
        if policy.softWhenTemporary, type == .hard {
            let temporaryWords = TextMatch.contains(input.textBytes, Array("temporar".utf8))
            if input.permanence == .temporary || temporaryWords || input.key.status == .deferred {
                type = .soft
                used.append(
                    input.permanence == .temporary ? "temporary failure, so soft" : "temporary wording, so soft")
            }
        }
        if ruleSoftens, type == .hard { type = .soft }
        var action = policy.action
        if policy.fault == .sender, set.settings.forwardSenderFault {
            action = .forward
            type = .soft
        }
        return Classification(
            reason: reason, type: type, fault: policy.fault, action: action, rule: ruleID,
            evidence: used.joined(separator: "; "))
    }

    /// A rule with its literals as bytes, ready to test.
    struct CompiledRule: Sendable {
        let rule: Rule
        let contains: [[UInt8]]
        let words: [[[UInt8]]]
        let notContains: [[UInt8]]

        init(_ rule: Rule) {
            self.rule = rule
            contains = rule.conditions.contains.map { Array($0.utf8) }
            words = rule.conditions.words.map { $0.map { Array($0.utf8) } }
            notContains = rule.conditions.notContains.map { Array($0.utf8) }
        }

        /// The evidence used when every condition holds, else nil.
        func match(_ i: Input) -> [String]? {
            let c = rule.conditions
            var used: [String] = []
            if !c.statuses.isEmpty {
                guard c.statuses.contains(i.key.status) else { return nil }
                used.append("status \(i.key.status.rawValue)")
            }
            if !c.stages.isEmpty {
                guard let s = i.key.stage, c.stages.contains(s) else { return nil }
                used.append("stage \(s.rawValue)")
            }
            if !c.notStages.isEmpty, let s = i.key.stage, c.notStages.contains(s) { return nil }
            if let known = c.stageKnown {
                guard (i.key.stage != nil) == known else { return nil }
                used.append(known ? "stage known" : "no SMTP stage")
            }
            if !c.notCodes.isEmpty, let code = i.code, c.notCodes.contains(where: { $0.matches(code) }) { return nil }
            if let p = c.permanence {
                guard i.permanence == p else { return nil }
            }
            if !c.codes.isEmpty {
                guard let code = i.code, let pat = c.codes.first(where: { $0.matches(code) }) else { return nil }
                used.append(pat.description == code.description ? "code \(code)" : "code \(code) matches \(pat)")
            }
            if !c.replyCodes.isEmpty {
                guard let r = i.reply, c.replyCodes.contains(where: { Self.replyMatches(r, $0) }) else { return nil }
                used.append("reply \(r)")
            }
            if c.anyText {
                guard !i.textBytes.isEmpty else { return nil }
                if !(c.testsText && (!contains.isEmpty || !words.isEmpty)) { used.append("text present") }
            }
            if !contains.isEmpty || !words.isEmpty {
                var hit: String?
                if let k = contains.firstIndex(where: { TextMatch.contains(i.textBytes, $0) }) {
                    hit = "text contains \"\(c.contains[k])\""
                } else if let k = words.firstIndex(where: { TextMatch.wordsInOrder(i.textBytes, $0) }) {
                    hit = "text has \"\(c.words[k].joined(separator: "\" … \""))\""
                }
                guard let hit else { return nil }
                used.append(hit)
            }
            if !notContains.isEmpty, notContains.contains(where: { TextMatch.contains(i.textBytes, $0) }) { return nil }
            if let re = c.regex {
                guard re.matches(i.key.text) else { return nil }
                used.append("text matches /\(re.pattern)/")
            }
            if used.isEmpty { used.append("default") }
            return used
        }

        static func replyMatches(_ reply: Int, _ pattern: Int) -> Bool {
            if pattern < 10 { return reply / 100 == pattern }
            if pattern < 100 { return reply / 10 == pattern }
            return reply == pattern
        }
    }
}

/// A bounded memo: two generations of a dictionary. Lookups that hit the old generation are promoted;
/// when the new generation is full it becomes the old one and the previous old one is dropped, so at
/// most `2 × capacity` entries are held and frequently used keys survive.
struct MemoCache<Key: Hashable>: ~Copyable {
    let capacity: Int
    var young: [Key: Classification] = [:]
    var old: [Key: Classification] = [:]
    var hits = 0
    var misses = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { young.count + old.count }

    /// The answer for `k`, if held; `counting` false leaves ``hits`` and ``misses`` alone.
    mutating func get(_ k: Key, counting: Bool = true) -> Classification? {
        if let v = young[k] {
            if counting { hits += 1 }
            return v
        }
        if let v = old.removeValue(forKey: k) {
            if counting { hits += 1 }
            put(k, v)
            return v
        }
        if counting { misses += 1 }
        return nil
    }

    mutating func put(_ k: Key, _ v: Classification) {
        if young.count >= capacity {
            old = young
            young = [:]
            young.reserveCapacity(capacity)
        }
        young[k] = v
    }
}
