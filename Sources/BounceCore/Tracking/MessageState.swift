/// What the tracker knows about one message (one queue id on one MTA host), persisted between runs.
///
/// Kept small on purpose: per recipient only the last real attempt, the first deferral and whether an
/// outcome was already emitted — enough to decide an expiry's reason and to never emit twice.
struct MessageState: Sendable, Hashable, Codable {
    /// Format version of the persisted JSON, so a later release can migrate or drop old rows.
    var v: Int = 1
    var host: String
    var mta: MTA
    var queueID: String
    /// The time of the first line seen for this message (part of the dedup key when there is no Message-ID).
    var firstSeen: LogTime
    /// The time of the latest line seen (age eviction).
    var lastSeen: LogTime
    /// Envelope sender; nil while unknown, empty for a bounce notification.
    var sender: String?
    var messageID: String?
    var campaignUUID: String?
    var subscriberUUID: String?
    /// A bounce notification (`from=<>`, or named by a Postfix `bounce:` line): never a subscriber bounce.
    var isBounceNotification: Bool = false
    /// The queue id this message was re-injected from by a content filter, if any.
    var parentQueueID: String?
    /// Queue ids this message was handed to by a content filter (fields learned later are passed on).
    var childQueueIDs: [String] = []
    /// Postfix qmgr `status=expired` was seen (the `removed` line follows).
    var expiredSeen: Bool = false
    /// Per recipient (lower-cased address), in order of first appearance (`order`).
    var recipients: [String: RecipientState] = [:]
    /// The last real, temporary-failure attempt of this message per recipient domain (lower-cased).
    var lastAttemptByDomain: [String: StoredAttempt] = [:]

    init(host: String, mta: MTA, queueID: String, time: LogTime) {
        self.host = host
        self.mta = mta
        self.queueID = queueID
        self.firstSeen = time
        self.lastSeen = time
    }

    var hasListmonkHeaders: Bool { campaignUUID != nil || subscriberUUID != nil }

    /// The most recent real attempt of the message, any domain.
    var lastAttemptAnyDomain: StoredAttempt? {
        lastAttemptByDomain.values.max { a, b in
            a.time != b.time ? a.time < b.time : a.attempt.recipient < b.attempt.recipient
        }
    }
}

/// One recipient of a message.
struct RecipientState: Sendable, Hashable, Codable {
    /// The address as first logged.
    var recipient: String
    /// Postfix `orig_to=` / Exim parent address.
    var originalRecipient: String?
    /// Order of first appearance in the message, so outcomes for several recipients come out in a stable order.
    var order: Int
    var firstDeferred: LogTime?
    /// The last real attempt that was deferred (evidence for an expiry).
    var lastAttempt: StoredAttempt?
    /// The last line that was not a real attempt (Postfix `delivery temporarily suspended`, Exim
    /// `retry time not reached`): the weakest evidence, used only when nothing better exists.
    var lastNonAttempt: StoredAttempt?
    /// The last real attempt of the same domain by another message, captured when this recipient was
    /// skipped because its host was down (so the evidence survives a restart with the message).
    var borrowedAttempt: StoredAttempt?
    /// Delivered, handed to a content filter, or otherwise finished without an outcome.
    var finished: Bool = false
    /// An outcome was emitted for this recipient (at most one per message and recipient).
    var reported: Bool = false

    init(recipient: String, originalRecipient: String?, order: Int) {
        self.recipient = recipient
        self.originalRecipient = originalRecipient
        self.order = order
    }

    var isOpen: Bool { !finished && !reported }

    /// The recipient's domain, lower-cased; empty when the address has none.
    static func domain(of address: String) -> String {
        AddressDomain.of(address) ?? ""
    }
}

/// A ``DeliveryAttempt`` with the time it was logged, in a form that can be persisted.
///
/// The attempt lives in a shared, immutable box: a ``RecipientState`` has room for three of these and
/// nearly every recipient has none, yet each inline `DeliveryAttempt?` took about 220 bytes, so one
/// recipient was 752 bytes, zeroed, copied out of and back into its message's dictionary on every
/// line of the message, and each message's one-recipient dictionary a 1.5 KB allocation. Boxed, an
/// absent attempt is 16 bytes and a present one is made once per deferred line (rare) and shared by the
/// places that keep it (the recipient, the domain, the recent-attempt table).
struct StoredAttempt: Sendable, Hashable, Codable {
    var time: LogTime
    private let box: AttemptBox
    /// The attempt as logged (never changed once stored).
    var attempt: DeliveryAttempt { box.attempt }

    init(time: LogTime, attempt: DeliveryAttempt) {
        self.time = time
        self.box = AttemptBox(attempt)
    }

    static func == (a: StoredAttempt, b: StoredAttempt) -> Bool {
        a.time == b.time && (a.box === b.box || a.box.attempt == b.box.attempt)
    }

    func hash(into h: inout Hasher) {
        h.combine(time)
        h.combine(box.attempt)
    }

    private enum CodingKeys: String, CodingKey {
        case time, mta, queueID = "qid", recipient = "rcpt", originalRecipient = "orig", agent, relay
        case remoteHost = "rhost", dsn, rawStatus = "raw", status, replyCode = "code", enhancedCode = "ecode"
        case diagnostic = "diag", smtpStage = "stage", queuedAs = "queued_as", isAttempt = "attempt"
        case isRetryTimeout = "retry_timeout"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(LogTime.self, forKey: .time)
        box = AttemptBox(
            DeliveryAttempt(
                mta: try c.decode(MTA.self, forKey: .mta),
                queueID: try c.decode(String.self, forKey: .queueID),
                recipient: try c.decode(String.self, forKey: .recipient),
                originalRecipient: try c.decodeIfPresent(String.self, forKey: .originalRecipient),
                agent: try c.decodeIfPresent(String.self, forKey: .agent),
                relay: try c.decodeIfPresent(String.self, forKey: .relay),
                remoteHost: try c.decodeIfPresent(String.self, forKey: .remoteHost),
                dsn: try c.decodeIfPresent(String.self, forKey: .dsn),
                rawStatus: try c.decode(String.self, forKey: .rawStatus),
                status: try c.decode(DeliveryStatus.self, forKey: .status),
                replyCode: try c.decodeIfPresent(Int.self, forKey: .replyCode),
                enhancedCode: try c.decodeIfPresent(String.self, forKey: .enhancedCode),
                diagnostic: try c.decodeIfPresent(String.self, forKey: .diagnostic) ?? "",
                smtpStage: try c.decodeIfPresent(SMTPStage.self, forKey: .smtpStage),
                queuedAs: try c.decodeIfPresent(String.self, forKey: .queuedAs),
                isAttempt: try c.decodeIfPresent(Bool.self, forKey: .isAttempt) ?? true,
                isRetryTimeout: try c.decodeIfPresent(Bool.self, forKey: .isRetryTimeout) ?? false))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let a = attempt
        try c.encode(time, forKey: .time)
        try c.encode(a.mta, forKey: .mta)
        try c.encode(a.queueID, forKey: .queueID)
        try c.encode(a.recipient, forKey: .recipient)
        try c.encodeIfPresent(a.originalRecipient, forKey: .originalRecipient)
        try c.encodeIfPresent(a.agent, forKey: .agent)
        try c.encodeIfPresent(a.relay, forKey: .relay)
        try c.encodeIfPresent(a.remoteHost, forKey: .remoteHost)
        try c.encodeIfPresent(a.dsn, forKey: .dsn)
        try c.encode(a.rawStatus, forKey: .rawStatus)
        try c.encode(a.status, forKey: .status)
        try c.encodeIfPresent(a.replyCode, forKey: .replyCode)
        try c.encodeIfPresent(a.enhancedCode, forKey: .enhancedCode)
        try c.encode(a.diagnostic, forKey: .diagnostic)
        try c.encodeIfPresent(a.smtpStage, forKey: .smtpStage)
        try c.encodeIfPresent(a.queuedAs, forKey: .queuedAs)
        if !a.isAttempt { try c.encode(false, forKey: .isAttempt) }
        if a.isRetryTimeout { try c.encode(true, forKey: .isRetryTimeout) }
    }
}

/// The immutable attempt of a ``StoredAttempt``, shared by its copies.
private final class AttemptBox: Sendable {
    let attempt: DeliveryAttempt

    init(_ attempt: DeliveryAttempt) { self.attempt = attempt }
}
