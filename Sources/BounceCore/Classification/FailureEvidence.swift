/// Everything the classifier may look at for one failed (bounced, deferred or expired) delivery.
///
/// Built from a ``DeliveryAttempt`` (or, for an expiry, from the last real attempt). Hashable so the
/// classifier can memoise on the fields that decide its answer.
public struct FailureEvidence: Sendable, Hashable {
    public var mta: MTA
    public var status: DeliveryStatus
    /// Postfix `dsn=` (Exim logs none).
    public var dsn: String?
    public var replyCode: Int?
    /// The enhanced code found in the text (may differ from `dsn`, which wins unless it is a generic `X.0.0`).
    public var enhancedCode: String?
    public var smtpStage: SMTPStage?
    /// The remote text / explanation.
    public var diagnostic: String
    /// The remote host name (Postfix `relay=` name, Exim `H=` name), lower-cased; nil when none.
    public var remoteHost: String?
    /// The recipient's domain, lower-cased.
    public var recipientDomain: String?

    public init(
        mta: MTA, status: DeliveryStatus, dsn: String? = nil, replyCode: Int? = nil, enhancedCode: String? = nil,
        smtpStage: SMTPStage? = nil, diagnostic: String, remoteHost: String? = nil, recipientDomain: String? = nil
    ) {
        self.mta = mta
        self.status = status
        self.dsn = dsn
        self.replyCode = replyCode
        self.enhancedCode = enhancedCode
        self.smtpStage = smtpStage
        self.diagnostic = diagnostic
        self.remoteHost = remoteHost
        self.recipientDomain = recipientDomain
    }
}

extension FailureEvidence {
    /// Evidence for a delivery attempt.
    public init(_ a: DeliveryAttempt) {
        let domain = a.recipient.lastIndex(of: "@").map {
            String(a.recipient[a.recipient.index(after: $0)...]).lowercased()
        }
        self.init(
            mta: a.mta, status: a.status, dsn: a.dsn, replyCode: a.replyCode, enhancedCode: a.enhancedCode,
            smtpStage: a.smtpStage, diagnostic: a.diagnostic, remoteHost: a.remoteHost?.lowercased(),
            recipientDomain: domain)
    }
}
