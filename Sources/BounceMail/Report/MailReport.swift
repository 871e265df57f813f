/// What a mail says, before classification: its kind, the format it was read as, one
/// ``RecipientReport`` per recipient it reports on, and the returned original's identity.
public struct MailReport: Sendable {
    /// The mail's top-level header fields.
    public var headers: MailHeaders
    /// The format the reports were read from: `rfc3464`, `arf`, `rfc3834`, or a vendor's plain text
    /// (`qmail`, `exim`, `sendmail`, ...); `none` when nothing was recognised.
    public var format: String
    /// Per-recipient reports, in the mail's order.
    public var recipients: [RecipientReport]
    /// An ARF report's fields (type `abuse`, `fraud`, ...), when the mail is a complaint.
    public var feedback: FeedbackReport?
    /// True for an RFC 3834 automatic reply (out of office, vacation, auto-responder).
    public var isAutoReply: Bool
    /// The returned original message's identity fields (headers of the enclosed message or headers part).
    public var original: OriginalIdentity
    /// Why the mail gave no recipient reports, when it gave none.
    public var note: String?

    public init(
        headers: MailHeaders, format: String, recipients: [RecipientReport] = [], feedback: FeedbackReport? = nil,
        isAutoReply: Bool = false, original: OriginalIdentity = OriginalIdentity(), note: String? = nil
    ) {
        self.headers = headers
        self.format = format
        self.recipients = recipients
        self.feedback = feedback
        self.isAutoReply = isAutoReply
        self.original = original
        self.note = note
    }
}

/// One recipient's delivery status, from RFC 3464 fields or a vendor's text.
public struct RecipientReport: Sendable, Hashable {
    /// Final-Recipient (or the vendor's address), without the `rfc822;` type and angle brackets.
    public var recipient: String
    public var originalRecipient: String?
    /// `failed`, `delayed`, `delivered`, `relayed`, `expanded` (RFC 3464 2.3.3), lower-cased; for a
    /// vendor text the action its wording implies.
    public var action: String?
    /// The enhanced status code (`5.1.1`).
    public var status: String?
    /// The diagnostic type (`smtp`, `x-unix`, `x-postfix`), lower-cased.
    public var diagnosticType: String?
    /// The remote's reply text or the vendor's explanation, one line.
    public var diagnostic: String
    /// Remote-MTA's host name (type removed).
    public var remoteMTA: String?
    /// Reporting-MTA's host name (type removed).
    public var reportingMTA: String?
    /// The SMTP command that failed (`RCPT`, `DATA`, `MAIL`, `EHLO`, `CONN`), when known.
    public var smtpCommand: String?
    /// X-Postfix-Queue-ID, or a vendor's queue id, of the reporting MTA.
    public var queueID: String?
    /// A reason the vendor's wording states outright (e.g. a vendor's "mailbox full" page), when the
    /// classifier should hear it; nil in RFC 3464 reports.
    public var vendorReason: String?
    /// The local delivery agent whose own sentence stated ``vendorReason`` (``DeliveryAgentText``).
    public var deliveryAgent: String?

    public init(
        recipient: String, originalRecipient: String? = nil, action: String? = nil, status: String? = nil,
        diagnosticType: String? = nil, diagnostic: String = "", remoteMTA: String? = nil, reportingMTA: String? = nil,
        smtpCommand: String? = nil, queueID: String? = nil, vendorReason: String? = nil
    ) {
        self.recipient = recipient
        self.originalRecipient = originalRecipient
        self.action = action
        self.status = status
        self.diagnosticType = diagnosticType
        self.diagnostic = diagnostic
        self.remoteMTA = remoteMTA
        self.reportingMTA = reportingMTA
        self.smtpCommand = smtpCommand
        self.queueID = queueID
        self.vendorReason = vendorReason
    }
}

/// The identity of the message a report is about: what listmonk put in it and its Message-ID.
public struct OriginalIdentity: Sendable, Hashable {
    public var messageID: String?
    public var campaignUUID: String?
    public var subscriberUUID: String?
    /// The original's `To:` address, a last resort for the recipient.
    public var to: String?

    public init(messageID: String? = nil, campaignUUID: String? = nil, subscriberUUID: String? = nil, to: String? = nil)
    {
        self.messageID = messageID
        self.campaignUUID = campaignUUID
        self.subscriberUUID = subscriberUUID
        self.to = to
    }
}
