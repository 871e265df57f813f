/// An RFC 5965 (ARF) `message/feedback-report`: the complaint's type and the complained-about recipients.
public struct FeedbackReport: Sendable, Hashable {
    /// Feedback-Type (`abuse`, `fraud`, `virus`, `other`, `not-spam`, `auth-failure`), lower-cased.
    public var feedbackType: String
    public var userAgent: String?
    public var sourceIP: String?
    /// Original-Rcpt-To (or Removal-Recipient / Redacted-Address) values, in order.
    public var recipients: [String]
    public var reportingMTA: String?

    public init(
        feedbackType: String, userAgent: String? = nil, sourceIP: String? = nil, recipients: [String] = [],
        reportingMTA: String? = nil
    ) {
        self.feedbackType = feedbackType
        self.userAgent = userAgent
        self.sourceIP = sourceIP
        self.recipients = recipients
        self.reportingMTA = reportingMTA
    }

    /// Reads the fields of a feedback-report part.
    public init(text: String) {
        feedbackType = "abuse"
        recipients = []
        for case let (name, value)? in DeliveryStatusFields.unfoldedFields(text) {
            switch name {
            case "feedback-type": feedbackType = value.lowercased()
            case "user-agent": userAgent = value
            case "source-ip": sourceIP = value
            case "reporting-mta": reportingMTA = DeliveryStatusFields.typedValue(value)
            case "original-rcpt-to", "removal-recipient", "redacted-address":
                if let a = Addresses.first(in: value) { recipients.append(a) }
            default: continue
            }
        }
    }
}
