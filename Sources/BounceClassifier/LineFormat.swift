import BounceCore

/// An extra delivery-line format (`[[format]]`): a regular expression with named captures behind a literal
/// pre-filter, for MTAs or custom log layouts the built-in parsers do not know.
///
/// Named captures: `recipient` and `status` (required), `queueid`, `origto`, `relay`, `dsn`, `reply`, `text`,
/// `stage` (optional). (ICU group names allow only letters and digits, hence no underscores.) The regex runs only on lines that contain every `prefilter` literal.
public struct LineFormat: Sendable, Hashable {
    public static let captureNames = [
        "recipient", "status", "queueid", "origto", "relay", "dsn", "reply", "text", "stage",
    ]
    public static let requiredCaptures = ["recipient", "status"]

    public var id: String
    public var mta: MTA
    /// Literals (case-sensitive) that must all occur before the regex is tried.
    public var prefilter: [String]
    public var regex: CompiledRegex
    /// Maps the captured status word (lower-cased) to a status; `sent`, `deferred`, `bounced`, `expired` map to themselves.
    public var statusMap: [String: DeliveryStatus]
    public var vectors: [FormatVector]
    public var location: SourceLocation

    public init(
        id: String, mta: MTA, prefilter: [String], regex: CompiledRegex, statusMap: [String: DeliveryStatus],
        vectors: [FormatVector], location: SourceLocation
    ) {
        self.id = id
        self.mta = mta
        self.prefilter = prefilter
        self.regex = regex
        self.statusMap = statusMap
        self.vectors = vectors
        self.location = location
    }

    /// The delivery attempt this line describes, or nil when the format does not match it.
    public func attempt(from line: String) -> DeliveryAttempt? {
        for p in prefilter where !line.contains(p) { return nil }
        guard let c = regex.captures(line, names: Self.captureNames), let rcpt = c["recipient"], let raw = c["status"]
        else { return nil }
        let status = statusMap[raw.lowercased()] ?? DeliveryStatus(rawValue: raw.lowercased()) ?? .other
        let text = c["text"] ?? ""
        let relay = c["relay"]
        let host = relay.flatMap { r -> String? in
            let name = r.split(separator: "[", maxSplits: 1).first.map(String.init) ?? r
            return name.isEmpty || name == "none" ? nil : name.lowercased()
        }
        return DeliveryAttempt(
            mta: mta, queueID: c["queueid"] ?? "", recipient: rcpt, originalRecipient: c["origto"], relay: relay,
            remoteHost: host, dsn: c["dsn"], rawStatus: raw, status: status,
            replyCode: c["reply"].flatMap { Int($0) } ?? TextCodes.replyCode(in: text),
            enhancedCode: TextCodes.enhancedCode(in: text), diagnostic: text,
            smtpStage: c["stage"].flatMap { SMTPStage(rawValue: $0.uppercased()) })
    }
}

/// A test vector for a line format: a line and the recipient and status it must yield.
public struct FormatVector: Sendable, Hashable {
    public var line: String
    public var recipient: String
    public var status: DeliveryStatus
    public var location: SourceLocation
    public init(line: String, recipient: String, status: DeliveryStatus, location: SourceLocation) {
        self.line = line
        self.recipient = recipient
        self.status = status
        self.location = location
    }
}
