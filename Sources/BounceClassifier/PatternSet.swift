import BounceCore

/// Where a piece of the pattern set was written: a file name and a 1-based line (0 when unknown).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// The stage of evaluation a rule belongs to. Sections run in this order; inside a section, rules run
/// in the order they were loaded (see docs/patterns.md).
public enum RuleSection: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `[[provider_rule]]`: rules of one provider, tried only when the remote host or recipient domain matches it.
    case provider = "provider_rule"
    /// `[[probe]]`: reason probes in priority order (text, stage, codes together).
    case probe
    /// `[[code]]`: the enhanced-code → reason table, the fallback once no probe matched.
    case code
    /// `[[default]]`: class defaults (x.7.x → securityerror, EHLO stage → blocked, any text → onhold).
    case `default`

    public static func < (a: RuleSection, b: RuleSection) -> Bool { a.order < b.order }

    /// The section's place in the run order (its place in `allCases`).
    var order: Int {
        switch self {
        case .provider: 0
        case .probe: 1
        case .code: 2
        case .default: 3
        }
    }
}

/// A provider: a mail service recognised by its MX host names or its recipients' domains.
public struct Provider: Sendable, Hashable {
    public var id: String
    /// Remote host suffixes (`google.com` matches `aspmx.l.google.com`), lower-case.
    public var hosts: [String]
    /// Recipient domain suffixes, lower-case.
    public var domains: [String]
    public var location: SourceLocation
    public init(id: String, hosts: [String], domains: [String], location: SourceLocation) {
        self.id = id
        self.hosts = hosts
        self.domains = domains
        self.location = location
    }

    /// True when `host` or `domain` equals one of the suffixes or ends with `.` + it.
    public func matches(host: String?, domain: String?) -> Bool {
        if let host, hosts.contains(where: { Self.hasDomainSuffix(host, $0) }) { return true }
        if let domain, domains.contains(where: { Self.hasDomainSuffix(domain, $0) }) { return true }
        return false
    }

    static func hasDomainSuffix(_ name: String, _ suffix: String) -> Bool {
        guard name.hasSuffix(suffix) else { return false }
        if name.utf8.count == suffix.utf8.count { return true }
        let cut = name.utf8.index(name.utf8.endIndex, offsetBy: -suffix.utf8.count - 1)
        return name.utf8[cut] == UInt8(ascii: ".")
    }
}

/// An enhanced status code pattern: `5.1.1`, or with `*` parts (`*.1.1`, `5.7.*`, `4.*.*`).
public struct CodePattern: Sendable, Hashable, CustomStringConvertible {
    /// Class, subject, detail; nil means any.
    public var parts: [Int?]
    public init?(_ text: String) {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        var parts: [Int?] = []
        for p in pieces {
            if p == "*" { parts.append(nil); continue }
            guard let n = Int(p), n >= 0, n < 1000 else { return nil }
            parts.append(n)
        }
        guard parts[0] == nil || [2, 4, 5].contains(parts[0]!) else { return nil }
        self.parts = parts
    }
    public func matches(_ code: EnhancedCode) -> Bool {
        (parts[0] == nil || parts[0] == code.klass) && (parts[1] == nil || parts[1] == code.subject)
            && (parts[2] == nil || parts[2] == code.detail)
    }
    public var description: String { parts.map { $0.map(String.init) ?? "*" }.joined(separator: ".") }
}

/// A parsed enhanced status code (RFC 3463): class.subject.detail.
public struct EnhancedCode: Sendable, Hashable, CustomStringConvertible {
    public var klass: Int
    public var subject: Int
    public var detail: Int
    public init(klass: Int, subject: Int, detail: Int) {
        self.klass = klass
        self.subject = subject
        self.detail = detail
    }
    /// Parses `X.Y.Z` with X in 2, 4, 5; nil for anything else.
    public init?(_ text: String) {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3, let k = Int(pieces[0]), [2, 4, 5].contains(k), let s = Int(pieces[1]),
            let d = Int(pieces[2]), s >= 0, s < 1000, d >= 0, d < 1000
        else { return nil }
        self.init(klass: k, subject: s, detail: d)
    }
    /// `X.0.0`: says only "permanent" or "temporary".
    public var isGeneric: Bool { subject == 0 && detail == 0 }
    public var description: String { "\(klass).\(subject).\(detail)" }
}

/// What a rule tests. Every condition that is set must hold; inside one condition, any listed value may match.
/// The text conditions (`contains`, `words`, `regex`) run on the normalised text (see ``TextNormalizer``).
public struct RuleConditions: Sendable, Hashable {
    /// Enhanced code patterns; the effective code must match one.
    public var codes: [CodePattern] = []
    /// Reply codes (`550`); a value below 10 is a class (`5` = any 5xx) and below 100 a two-digit prefix (`55` = 55x).
    public var replyCodes: [Int] = []
    /// SMTP stages; the failure's stage must be one of them (a failure without a stage never matches).
    public var stages: [SMTPStage] = []
    /// SMTP stages that rule the rule out.
    public var notStages: [SMTPStage] = []
    /// `false`: only failures whose line names no SMTP stage; `true`: only failures that name one.
    public var stageKnown: Bool?
    /// Enhanced code patterns that rule the rule out (a failure without a code is not ruled out).
    public var notCodes: [CodePattern] = []
    /// The id of a rule whose text conditions (`contains`, `words`, `not_contains`, `regex`) this rule
    /// shares; the loader copies them in once the whole set is merged, so an override of that rule's
    /// literals reaches both.
    public var sameTextAs: String?
    /// Delivery statuses (`bounced`, `deferred`, `expired`).
    public var statuses: [DeliveryStatus] = []
    /// `permanent` (5xx / 5.x.x) or `temporary` (4xx / 4.x.x or deferred).
    public var permanence: Permanence?
    /// Lower-case literals; the text must contain one.
    public var contains: [String] = []
    /// Lists of lower-case words; the text must contain the words of one list in order.
    public var words: [[String]] = []
    /// Lower-case literals; the rule does not fire when the text contains any.
    public var notContains: [String] = []
    /// A regular expression, tested only after `contains`/`words` matched.
    public var regex: CompiledRegex?
    /// True when the text must be non-empty.
    public var anyText = false

    public init() {}

    /// True when the rule looks at the text at all.
    public var testsText: Bool { !contains.isEmpty || !words.isEmpty || regex != nil || anyText }
}

/// Permanent (5xx) or temporary (4xx) failures.
public enum Permanence: String, Sendable, Hashable, CaseIterable {
    case permanent
    case temporary
}

/// One test vector: a failure and what the set must say about it.
public struct TestVector: Sendable, Hashable {
    public var text: String
    public var dsn: String?
    public var replyCode: Int?
    public var stage: SMTPStage?
    public var status: DeliveryStatus
    public var host: String?
    public var domain: String?
    /// The expected reason.
    public var expectReason: String
    /// The expected type, when the vector states one.
    public var expectType: BounceType?
    /// The rule expected to fire; nil means the rule that owns the vector.
    public var expectRule: String?
    public var location: SourceLocation

    public init(
        text: String, dsn: String? = nil, replyCode: Int? = nil, stage: SMTPStage? = nil,
        status: DeliveryStatus = .bounced, host: String? = nil, domain: String? = nil, expectReason: String,
        expectType: BounceType? = nil, expectRule: String? = nil, location: SourceLocation
    ) {
        self.text = text
        self.dsn = dsn
        self.replyCode = replyCode
        self.stage = stage
        self.status = status
        self.host = host
        self.domain = domain
        self.expectReason = expectReason
        self.expectType = expectType
        self.expectRule = expectRule
        self.location = location
    }

    /// The failure this vector describes.
    public var evidence: FailureEvidence {
        FailureEvidence(
            mta: .postfix, status: status, dsn: dsn, replyCode: replyCode ?? TextCodes.replyCode(in: text),
            enhancedCode: TextCodes.enhancedCode(in: text), smtpStage: stage, diagnostic: text,
            remoteHost: host?.lowercased(), recipientDomain: domain?.lowercased())
    }
}

/// One classification rule.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var section: RuleSection
    /// For provider rules: the provider id.
    public var provider: String?
    public var reason: String
    public var conditions: RuleConditions
    /// A disabled rule stays in the set (so an override can switch a default off) but never fires.
    public var disabled: Bool
    public var vectors: [TestVector]
    public var location: SourceLocation
    /// Where the rule's knowledge comes from (`source = ...`): URLs, RFC sections or
    /// `owner/repo/path@commit` (see ``SourceCitation``). Empty when the rule cites none.
    public var sources: [String]
    /// Whether the rule came with the packaged defaults or from an operator's override directory.
    public var origin: RuleOrigin
    /// Added to the evidence when the rule fires (`note = ...`): why the rule chose this reading, e.g.
    /// that a code and a text disagree and the reading that does not blocklist won.
    public var note: String?
    /// `soft = true`: the verdict is soft even when the reason's policy says hard. A rule can only
    /// soften (hard comes from the policy alone): it marks a text whose reporter is known to use it for
    /// a failure that is not final, so the reading that does not blocklist wins. Needs a `note`.
    public var soft: Bool

    public init(
        id: String, section: RuleSection, provider: String? = nil, reason: String, conditions: RuleConditions,
        disabled: Bool = false, vectors: [TestVector], location: SourceLocation, sources: [String] = [],
        origin: RuleOrigin = .packaged, note: String? = nil, soft: Bool = false
    ) {
        self.id = id
        self.section = section
        self.provider = provider
        self.reason = reason
        self.conditions = conditions
        self.disabled = disabled
        self.vectors = vectors
        self.location = location
        self.sources = sources
        self.origin = origin
        self.note = note
        self.soft = soft
    }
}

/// Where a rule was loaded from: the default set (packaged, or `--patterns DIR`) or the override directory.
public enum RuleOrigin: String, Sendable, Hashable {
    case packaged
    case override
}

/// Policy for one reason: type, fault and forwarding.
public struct ReasonPolicy: Sendable, Hashable {
    public var reason: String
    public var type: BounceType
    public var fault: Fault
    public var action: ForwardAction
    /// `notaccept`: hard, but soft when the failure is temporary (4xx code or temporary wording).
    public var softWhenTemporary: Bool
    public var location: SourceLocation

    public init(
        reason: String, type: BounceType, fault: Fault, action: ForwardAction, softWhenTemporary: Bool = false,
        location: SourceLocation
    ) {
        self.reason = reason
        self.type = type
        self.fault = fault
        self.action = action
        self.softWhenTemporary = softWhenTemporary
        self.location = location
    }
}

/// Set-wide settings (`[settings]`).
public struct PatternSettings: Sendable, Hashable {
    /// Forward sender-fault bounces (as `soft`) instead of holding them.
    public var forwardSenderFault = false
    /// The reason when nothing matched and there is text.
    public var reasonWithText = "onhold"
    /// The reason when nothing matched and there is no text.
    public var reasonWithoutText = "undefined"
    public init() {}
}

/// A complete, validated pattern set: providers, rules in evaluation order, policy, settings and line formats.
public struct PatternSet: Sendable {
    public var providers: [Provider]
    /// All rules, in evaluation order (section, then load order).
    public var rules: [Rule]
    public var policy: [String: ReasonPolicy]
    public var settings: PatternSettings
    public var formats: [LineFormat]
    /// The files the set came from, in load order.
    public var sources: [String]

    public init(
        providers: [Provider], rules: [Rule], policy: [String: ReasonPolicy], settings: PatternSettings,
        formats: [LineFormat], sources: [String]
    ) {
        self.providers = providers
        // A stable sort by section, as one pass into a bucket per section (sorting moved each large Rule
        // value many times, a measurable part of a one-shot command's start-up).
        var buckets = [[Rule]](repeating: [], count: RuleSection.allCases.count)
        for r in rules { buckets[r.section.order].append(r) }
        self.rules = buckets.flatMap { $0 }
        self.policy = policy
        self.settings = settings
        self.formats = formats
        self.sources = sources
    }

    /// The rule with this id.
    public func rule(id: String) -> Rule? { rules.first { $0.id == id } }
}
