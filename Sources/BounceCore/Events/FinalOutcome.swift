/// The final outcome of one (message, recipient), as decided by the message tracker.
///
/// Only failures become outcomes: a delivered recipient produces nothing, a pending one nothing yet.
public struct FinalOutcome: Sendable, Hashable {
    /// What ended the recipient's delivery.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A permanent failure line (Postfix `status=bounced`, Exim `**` other than a retry timeout).
        case bounced
        /// The queue lifetime ran out (Postfix qmgr `status=expired`, Exim `retry timeout exceeded` /
        /// `have been failing for a long time`); the evidence is the last real attempt.
        case expired
        /// Deferred longer than the configured age (optional policy); no later event for this recipient.
        case deferredTooLong = "deferred"
    }

    public var kind: Kind
    public var mta: MTA
    /// The identity host of the MTA that wrote the message's lines (``HostIdentity``): the same line from a
    /// file and the journal must match.
    public var host: String
    public var queueID: String
    /// When the tracker first saw this message (part of the dedup key, since Postfix reuses short queue ids).
    public var firstSeen: LogTime?
    public var messageID: String?
    public var sender: String?
    public var campaignUUID: String?
    public var subscriberUUID: String?
    /// The recipient as logged.
    public var recipient: String
    /// Postfix `orig_to=`: the address listmonk sent to.
    public var originalRecipient: String?
    /// When the outcome was logged.
    public var time: LogTime
    /// The status as written on the deciding line (`bounced`, `expired`, `**`, ...).
    public var rawStatus: String
    /// The attempt whose reply decides the reason: the failing line, or for an expiry the last real attempt.
    /// nil when an expiry had no attempt at all on record.
    public var evidence: DeliveryAttempt?

    public init(
        kind: Kind, mta: MTA, host: String, queueID: String, firstSeen: LogTime?, messageID: String?,
        sender: String?, campaignUUID: String?, subscriberUUID: String?, recipient: String,
        originalRecipient: String?, time: LogTime, rawStatus: String, evidence: DeliveryAttempt?
    ) {
        self.kind = kind
        self.mta = mta
        self.host = host
        self.queueID = queueID
        self.firstSeen = firstSeen
        self.messageID = messageID
        self.sender = sender
        self.campaignUUID = campaignUUID
        self.subscriberUUID = subscriberUUID
        self.recipient = recipient
        self.originalRecipient = originalRecipient
        self.time = time
        self.rawStatus = rawStatus
        self.evidence = evidence
    }
}
