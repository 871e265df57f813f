/// One outcome the tracker counts that is not a bounce event: a delivered (message, recipient), or a message's
/// first deferral. The state database adds it to the daily outcome counts once per ``identity``, so a line
/// read twice (a second backfill, a file and the journal, the journal's cursor overlap) counts once.
public struct OutcomeTally: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A recipient's `status=sent` (Postfix) or `=>`/`->` (Exim), not a hand-off to a content filter.
        case delivered
        /// A message's first `status=deferred` line: one per message, however many lines and recipients.
        case deferred
    }

    public var kind: Kind
    /// The MTA host the message belongs to (the tracker's identity host).
    public var host: String
    public var mta: MTA
    public var queueID: String
    /// Lower-cased; `orig_to` when the line had it (the address listmonk sent to), as in ``BounceEvent/email``.
    /// For a deferral, the recipient of the first deferred line.
    public var recipient: String
    public var campaignUUID: String?
    /// The message's Message-ID (without angle brackets) when the tracker saw it: with the recipient, what a
    /// bounce or complaint that arrives as mail names (the sent index). Not part of ``identity``.
    public var messageID: String?
    /// listmonk's subscriber UUID when the tracker saw it (for an asynchronous DSN that lacks it).
    public var subscriberUUID: String?
    /// The log time of the counted line.
    public var time: LogTime

    public init(
        kind: Kind, host: String, mta: MTA, queueID: String, recipient: String, campaignUUID: String?, time: LogTime,
        messageID: String? = nil, subscriberUUID: String? = nil
    ) {
        self.messageID = messageID
        self.subscriberUUID = subscriberUUID
        self.kind = kind
        self.host = host
        self.mta = mta
        self.queueID = queueID
        self.recipient = recipient
        self.campaignUUID = campaignUUID
        self.time = time
    }

    /// The identity, in the style of ``DedupKey``: host, MTA, queue id, the whole second of the counted line
    /// (Postfix reuses queue ids; a syslog line and its journal entry agree on the second), and for a delivery
    /// the recipient. A deferral is per message, so it names no recipient.
    public var identity: String {
        var parts = [kind.rawValue, host, mta.rawValue, queueID, "a:" + String(time.seconds)]
        if kind == .delivered { parts.append(recipient) }
        return "t1|" + parts.map(DedupKey.escape).joined(separator: "|")
    }

    /// The recipient's domain (lower-cased), empty when the address has none.
    public var domain: String { AddressDomain.of(recipient) ?? "" }
}
