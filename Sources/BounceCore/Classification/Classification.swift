/// listmonk's bounce types. `complaint` is reserved for feedback reports, which never appear in a delivery log.
public enum BounceType: String, Sendable, Hashable, Codable, CaseIterable {
    case hard
    case soft
    case complaint
}

/// Who must act on a failure (see docs/patterns.md and the policy table in the pattern set).
public enum Fault: String, Sendable, Hashable, Codable, CaseIterable {
    case recipient
    case sender
    case remote
    case unknown
}

/// Whether a bounce goes to listmonk now or is held in the outbox for the operator.
public enum ForwardAction: String, Sendable, Hashable, Codable, CaseIterable {
    case forward
    case hold
}

/// The classifier's verdict on one failure, with the rule that decided it and the fields it used.
public struct Classification: Sendable, Hashable, Codable {
    /// Sisimai's reason name (`userunknown`, `mailboxfull`, `blocked`, ...).
    public var reason: String
    public var type: BounceType
    public var fault: Fault
    public var action: ForwardAction
    /// The id of the rule that fired (e.g. `provider.google.nosuchuser`, `probe.userunknown.text`, `fallback.code.5.1.1`).
    public var rule: String
    /// What the rule used, human-readable (e.g. `text contains "user unknown"; stage RCPT`).
    public var evidence: String

    public init(reason: String, type: BounceType, fault: Fault, action: ForwardAction, rule: String, evidence: String) {
        self.reason = reason
        self.type = type
        self.fault = fault
        self.action = action
        self.rule = rule
        self.evidence = evidence
    }
}
