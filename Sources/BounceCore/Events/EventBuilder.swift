/// How ``EventBuilder`` shapes events.
public struct EventBuilderOptions: Sendable, Hashable {
    /// listmonk's `source` field.
    public var source: String
    /// Hold (store, do not send) events whose log time is older than this at `now`, in microseconds: the
    /// subscriber may have received mail since. nil: never. Default 30 days (backfill).
    public var holdOlderThan: Int64?

    public init(source: String = "bouncetail", holdOlderThan: Int64? = 30 * TrackerOptions.day) {
        self.source = source
        self.holdOlderThan = holdOlderThan
    }
}

/// Turns a tracker's ``FinalOutcome`` and the classifier's ``Classification`` into a ``BounceEvent``.
///
/// - `email`: lower-cased, `orig_to` when the line had it (the address listmonk sent to);
/// - `subscriber_uuid` / `campaign_uuid`: only when well-formed (``UUIDSyntax``); a malformed one is left
///   out, noted in `meta.note` and counted in ``malformedUUIDs``;
/// - `type`: the classification's for a bounce; `soft` for an expiry or a too-long deferral
///   (policy: a deferral that ran out is never proof that the address is dead);
/// - `meta.action`: the classification's (sender-fault reasons are held by policy), or `hold` when the event
///   is older than ``EventBuilderOptions/holdOlderThan`` at `now`; `meta.hold_reason` says which;
/// - `created_at`: the outcome's log time, RFC 3339 UTC; `dedupKey`: ``DedupKey``.
public struct EventBuilder: Sendable {
    public var options: EventBuilderOptions
    /// UUIDs left out because listmonk would reject or drop them.
    public private(set) var malformedUUIDs = 0

    public init(options: EventBuilderOptions = EventBuilderOptions()) {
        self.options = options
    }

    /// The event for one outcome.
    /// - Parameter now: the current time for the age hold (injected; nil disables it).
    public mutating func build(_ outcome: FinalOutcome, classification c: Classification, now: LogTime? = nil)
        -> BounceEvent
    {
        var notes: [String] = []
        func checked(_ value: String?, _ name: String) -> String? {
            guard let value, !value.isEmpty else { return nil }
            if UUIDSyntax.isWellFormed(value) { return value }
            malformedUUIDs += 1
            notes.append("malformed \(name) left out: \(value)")
            return nil
        }
        let subscriber = checked(outcome.subscriberUUID, "subscriber_uuid")
        let campaign = checked(outcome.campaignUUID, "campaign_uuid")

        let type: BounceType = outcome.kind == .bounced ? c.type : .soft
        var action = c.action
        var holdReason: String?
        if c.action == .hold {
            holdReason = Self.policyHoldPrefix + "\(c.fault.rawValue)-fault reason \(c.reason)"
        }
        if let age = options.holdOlderThan, let now, now.microseconds - outcome.time.microseconds > age {
            action = .hold
            let older = Self.ageHoldPrefix + "\(Self.describe(age)) when processed"
            holdReason = holdReason.map { $0 + "; " + older } ?? older
        }

        let a = outcome.evidence
        let diagnostic = a.map(\.diagnostic).flatMap { $0.isEmpty ? nil : $0 }
        let meta = BounceEvent.Meta(
            reason: c.reason, fault: c.fault, action: action, status: outcome.kind.rawValue,
            dsn: a?.dsn ?? a?.enhancedCode, replyCode: a?.replyCode, smtpStage: a?.smtpStage,
            remoteHost: a?.remoteHost, mta: outcome.mta, host: outcome.host, queueID: outcome.queueID,
            messageID: outcome.messageID, diagnostic: diagnostic, rule: c.rule, evidence: c.evidence,
            sender: outcome.sender, holdReason: holdReason, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        return BounceEvent(
            email: outcome.email, subscriberUUID: subscriber, campaignUUID: campaign, source: options.source,
            type: type, createdAt: RFC3339.format(outcome.time), meta: meta, dedupKey: outcome.dedupKey)
    }

    static let policyHoldPrefix = "policy holds "
    static let ageHoldPrefix = "older than "

    /// The short code the outbox files an event held here under (`outbox list --held`, `outbox release
    /// --reason`): `<fault>-fault` for the pattern set's hold, which wins when both apply (releasing old
    /// events must not send our own deliverability problems along), else `too-old` for the age hold;
    /// nil when the event is not held.
    public static func outboxHoldCode(for event: BounceEvent) -> String? {
        guard event.meta.action == .hold else { return nil }
        let why = event.meta.holdReason ?? ""
        if why.hasPrefix(ageHoldPrefix) { return "too-old" }
        return "\(event.meta.fault.rawValue)-fault"
    }

    /// `30 days`, `36 hours`, `90 minutes`: a duration in the largest whole unit.
    static func describe(_ micros: Int64) -> String {
        let s = micros / 1_000_000
        if s % 86_400 == 0 { return "\(s / 86_400) days" }
        if s % 3600 == 0 { return "\(s / 3600) hours" }
        if s % 60 == 0 { return "\(s / 60) minutes" }
        return "\(s) seconds"
    }
}
