import BounceCore

/// How a bounce or complaint read from a report mail meets the logs (see
/// docs/design/2026-12-03-mail-join.md).
///
/// A DSN our MTA mailed for a recipient it rejected and the log line of that rejection are one bounce: they are
/// joined by the MTA host + queue id, or by the original Message-ID, plus the recipient. A report that joins no log
/// bounce is checked against the sent index (the deliveries the logs showed): a hard bounce or complaint naming no
/// message we sent to that recipient is held as `unmatched` when ``holdUnmatched`` is set.
public struct MailJoin: Sendable, Hashable {
    /// The identity host (``HostIdentity``) of the MTA that wrote ``queueID`` (the DSN's Reporting-MTA).
    public var host: String?
    /// The reporting MTA's queue id (`X-Postfix-Queue-ID`).
    public var queueID: String?
    /// The returned original's Message-ID, without angle brackets.
    public var messageID: String?
    /// Hold a hard bounce or complaint that names no message the logs show we sent to its recipient.
    public var holdUnmatched: Bool

    public init(host: String?, queueID: String?, messageID: String?, holdUnmatched: Bool) {
        self.host = host
        self.queueID = queueID
        self.messageID = messageID
        self.holdUnmatched = holdUnmatched
    }

    /// The outbox hold code of an unmatched report (`outbox list --held`, `outbox release --reason unmatched`).
    public static let unmatchedHoldCode = "unmatched"

    /// The join keys of one bounce: `q|<host>|<queue id>|<recipient>` and `m|<message id>|<recipient>`, for the
    /// parts that are known. The recipient is lower-cased, as in ``BounceEvent/email``.
    public static func keys(host: String?, queueID: String?, messageID: String?, recipient: String) -> [String] {
        let rcpt = escape(recipient.lowercased())
        var out: [String] = []
        if let host, !host.isEmpty, let queueID, !queueID.isEmpty {
            out.append("q|" + escape(host) + "|" + escape(queueID) + "|" + rcpt)
        }
        if let messageID, !messageID.isEmpty { out.append("m|" + escape(messageID) + "|" + rcpt) }
        return out
    }

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "|" || $0 == "%" }) else { return s }
        return s.replacing("%", with: "%25").replacing("|", with: "%7C")
    }
}
