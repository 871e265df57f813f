/// One bounce, shaped as the body of listmonk's `POST /webhooks/bounce`, plus its identity.
///
/// `meta` is always a JSON object (listmonk stores any JSON value, but only an object reads back usefully).
public struct BounceEvent: Sendable, Hashable, Codable {
    /// The explanation carried in `meta`.
    public struct Meta: Sendable, Hashable, Codable {
        public var reason: String
        public var fault: Fault
        public var action: ForwardAction
        /// The outcome: `bounced`, `expired` or `deferred`.
        public var status: String
        public var dsn: String?
        public var replyCode: Int?
        public var smtpStage: SMTPStage?
        public var remoteHost: String?
        public var mta: MTA
        public var host: String
        public var queueID: String
        public var messageID: String?
        public var diagnostic: String?
        public var rule: String
        public var evidence: String
        public var sender: String?
        /// Why the event is held rather than forwarded (sender-fault policy, age, a later delivery); nil when forwarded.
        public var holdReason: String?
        /// Anything else the operator should know (e.g. a malformed UUID that was left out).
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case reason, fault, action, status, dsn, mta, host, diagnostic, rule, evidence, sender
            case replyCode = "reply_code"
            case smtpStage = "smtp_stage"
            case remoteHost = "remote_host"
            case queueID = "queue_id"
            case messageID = "message_id"
            case holdReason = "hold_reason"
            case note
        }

        public init(
            reason: String, fault: Fault, action: ForwardAction, status: String, dsn: String?, replyCode: Int?,
            smtpStage: SMTPStage?, remoteHost: String?, mta: MTA, host: String, queueID: String,
            messageID: String?, diagnostic: String?, rule: String, evidence: String, sender: String?,
            holdReason: String? = nil, note: String? = nil
        ) {
            self.reason = reason
            self.fault = fault
            self.action = action
            self.status = status
            self.dsn = dsn
            self.replyCode = replyCode
            self.smtpStage = smtpStage
            self.remoteHost = remoteHost
            self.mta = mta
            self.host = host
            self.queueID = queueID
            self.messageID = messageID
            self.diagnostic = diagnostic
            self.rule = rule
            self.evidence = evidence
            self.sender = sender
            self.holdReason = holdReason
            self.note = note
        }
    }

    /// Lower-cased; `orig_to` when the line had it.
    public var email: String
    public var subscriberUUID: String?
    public var campaignUUID: String?
    public var source: String
    public var type: BounceType
    /// The log time in UTC, RFC 3339 (`2026-11-26T16:21:54Z`, with `.ffffff` when the log had a fraction).
    public var createdAt: String
    public var meta: Meta
    /// The identity of this bounce: MTA host, queue id, first-seen time or Message-ID, recipient, final status.
    /// Not sent to listmonk; the outbox keeps it unique.
    public var dedupKey: String

    enum CodingKeys: String, CodingKey {
        case email, source, type, meta
        case subscriberUUID = "subscriber_uuid"
        case campaignUUID = "campaign_uuid"
        case createdAt = "created_at"
        case dedupKey = "dedup_key"
    }

    public init(
        email: String, subscriberUUID: String?, campaignUUID: String?, source: String, type: BounceType,
        createdAt: String, meta: Meta, dedupKey: String
    ) {
        self.email = email
        self.subscriberUUID = subscriberUUID
        self.campaignUUID = campaignUUID
        self.source = source
        self.type = type
        self.createdAt = createdAt
        self.meta = meta
        self.dedupKey = dedupKey
    }
}
