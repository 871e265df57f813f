/// The mail transfer agent that wrote a line.
public enum MTA: String, Sendable, Hashable, Codable, CaseIterable {
    case postfix
    case exim
}

/// A point in time as microseconds since the Unix epoch, UTC.
///
/// Integer microseconds keep ordering and equality exact (journald's `__REALTIME_TIMESTAMP`
/// has the same unit) and cost nothing to compare on the hot path.
public struct LogTime: Sendable, Hashable, Comparable, Codable {
    public var microseconds: Int64
    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Int64, micros: Int64 = 0) { self.microseconds = seconds * 1_000_000 + micros }
    public var seconds: Int64 { microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000 }
    public static func < (a: LogTime, b: LogTime) -> Bool { a.microseconds < b.microseconds }
}

/// What the line's envelope (syslog header, Exim's own timestamp, or the journal) said.
public struct LogEnvelope: Sendable, Hashable {
    /// When the line was written, in UTC; nil when the line carried no time (a bare message).
    public var time: LogTime?
    /// The host name from the header (syslog), if any.
    public var host: String?
    /// The program, e.g. `postfix/smtp`, `postfix-out/smtp`, `exim`; nil for Exim's mainlog.
    public var program: String?
    public var pid: Int?

    public init(time: LogTime? = nil, host: String? = nil, program: String? = nil, pid: Int? = nil) {
        self.time = time
        self.host = host
        self.program = program
        self.pid = pid
    }
}

/// The normalised outcome of a delivery-status line.
public enum DeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case sent
    case deferred
    case bounced
    case expired
    /// Address verification probes and other status words that are not a delivery outcome.
    case other
}

/// The SMTP stage a remote reply answered, in Sisimai's command names.
public enum SMTPStage: String, Sendable, Hashable, Codable, CaseIterable {
    case conn = "CONN"
    case ehlo = "EHLO"
    case mail = "MAIL"
    case rcpt = "RCPT"
    case data = "DATA"
}

/// One delivery attempt for one recipient: Postfix `to=... status=...` or Exim `=>`, `->`, `**`, `==`.
public struct DeliveryAttempt: Sendable, Hashable {
    public var mta: MTA
    /// Postfix queue id or Exim message id.
    public var queueID: String
    /// The recipient as logged (`to=` / the Exim address), without angle brackets.
    public var recipient: String
    /// Postfix `orig_to=` (the address before aliasing), or Exim's parent address `addr <parent>`.
    public var originalRecipient: String?
    /// The delivery agent (`smtp`, `lmtp`, `local`, `virtual`, `pipe`, `error`, `relay/smtp`) or Exim transport.
    public var agent: String?
    /// Postfix `relay=` as written, or Exim's `H=` host field.
    public var relay: String?
    /// The remote host name (relay without `[ip]:port`), nil for `none`.
    public var remoteHost: String?
    /// Postfix `dsn=` as written.
    public var dsn: String?
    /// The status word (`sent`, `bounced`, `SOFTBOUNCE`, ...) or Exim flag (`**`, `==`, `=>`, `->`) as written.
    public var rawStatus: String
    public var status: DeliveryStatus
    /// The remote SMTP reply code (the last one in a flattened multi-line reply).
    public var replyCode: Int?
    /// The enhanced status code found in the remote text, if any.
    public var enhancedCode: String?
    /// The whole explanation: Postfix's parenthesised text, Exim's text after the colon (multi-line flattened with spaces).
    public var diagnostic: String
    /// The SMTP stage the reply answered, when the line says (`in reply to RCPT TO command`, `after end of data`).
    public var smtpStage: SMTPStage?
    /// Postfix `status=sent (250 2.0.0 Ok: queued as NEWID)` to a content filter: the new queue id.
    public var queuedAs: String?
    /// True when the line is not a real attempt on the remote host: Exim `retry time not reached`,
    /// Postfix `delivery temporarily suspended`. The reason for an eventual expiry must come from a real attempt.
    public var isAttempt: Bool
    /// Exim's expiry failures: `retry timeout exceeded`, `all hosts ... have been failing for a long time`.
    /// They are `**` lines (status `bounced` as written) whose tracker outcome is `expired`.
    public var isRetryTimeout: Bool

    public init(
        mta: MTA, queueID: String, recipient: String, originalRecipient: String? = nil, agent: String? = nil,
        relay: String? = nil, remoteHost: String? = nil, dsn: String? = nil, rawStatus: String,
        status: DeliveryStatus, replyCode: Int? = nil, enhancedCode: String? = nil, diagnostic: String = "",
        smtpStage: SMTPStage? = nil, queuedAs: String? = nil, isAttempt: Bool = true, isRetryTimeout: Bool = false
    ) {
        self.mta = mta
        self.queueID = queueID
        self.recipient = recipient
        self.originalRecipient = originalRecipient
        self.agent = agent
        self.relay = relay
        self.remoteHost = remoteHost
        self.dsn = dsn
        self.rawStatus = rawStatus
        self.status = status
        self.replyCode = replyCode
        self.enhancedCode = enhancedCode
        self.diagnostic = diagnostic
        self.smtpStage = smtpStage
        self.queuedAs = queuedAs
        self.isAttempt = isAttempt
        self.isRetryTimeout = isRetryTimeout
    }
}

/// A message entering the queue: Postfix qmgr `from=<...>, size=, nrcpt=` or Exim `<=`.
public struct QueuedMessage: Sendable, Hashable {
    public var mta: MTA
    public var queueID: String
    /// The envelope sender; empty for a bounce notification (`from=<>`, Exim `<= <>`).
    public var sender: String
    /// Exim `id=` (the Message-ID header); Postfix logs it on a separate cleanup line.
    public var messageID: String?
    /// Exim `R=` on a bounce notification: the message it reports on.
    public var bounceOf: String?
    public var size: Int?
    public var recipientCount: Int?

    public init(
        mta: MTA, queueID: String, sender: String, messageID: String? = nil, bounceOf: String? = nil,
        size: Int? = nil, recipientCount: Int? = nil
    ) {
        self.mta = mta
        self.queueID = queueID
        self.sender = sender
        self.messageID = messageID
        self.bounceOf = bounceOf
        self.size = size
        self.recipientCount = recipientCount
    }
}

/// What one log line says, once parsed.
///
/// The two large payloads are boxed (`indirect`): inline, a ``DeliveryAttempt`` made every record, and so
/// every ``ParsedLine``, 296 bytes, even the connects and disconnects that are most of a log and carry
/// nothing; a backfill wrote each line's record into its batch on one thread and copied it out on the
/// other. Boxed, a line is 128 bytes, and one allocation is made per delivery or queue line.
public enum LogRecord: Sendable, Hashable {
    /// A delivery status line (see ``DeliveryAttempt``).
    indirect case delivery(DeliveryAttempt)
    /// A message entered the queue (Postfix qmgr `from=`, Exim `<=`).
    indirect case queued(QueuedMessage)
    /// Postfix qmgr `QID: from=<sender>, status=expired, returned to sender` (one line per message, no recipient).
    case expired(mta: MTA, queueID: String, sender: String, rawStatus: String)
    /// The message left the queue: Postfix qmgr `removed`, Exim `Completed`.
    case removed(mta: MTA, queueID: String)
    /// Postfix cleanup `message-id=<...>` (angle brackets stripped).
    case messageID(mta: MTA, queueID: String, messageID: String)
    /// A logged header: Postfix cleanup `info:`/`warning: header NAME: VALUE ...`, or one name/value pair of
    /// an Exim DATA-ACL `logwrite` (one record per pair; see ``ParsedLine/extraHeaders``).
    case header(mta: MTA, queueID: String, name: String, value: String)
    /// Postfix `bounce: QID: sender non-delivery notification: NEWQID` (also delay/success notifications).
    case bounceNotification(mta: MTA, queueID: String, notificationQueueID: String, kind: String)
    /// An inbound reject by our own server (`NOQUEUE: reject: RCPT from ...`, Exim `rejected RCPT`): never a bounce of ours.
    case inboundReject(mta: MTA)
    /// A `warning:`/`error:`/`fatal:`/`panic:` line of the MTA: noise for bounce processing.
    case warning(mta: MTA)
    /// Any other line of a known MTA (connects, smtpd, postscreen, daemon start, ...).
    case otherMTA(mta: MTA)
    /// A line that is not recognised at all.
    case other
}

/// The kinds of ``LogRecord``, as printed by `bouncetail parse` and counted by `--summary`.
public enum RecordKind: String, Sendable, Hashable, Codable, CaseIterable {
    case delivery
    case queued
    case expired
    case removed
    case messageID = "message_id"
    case header
    case bounceNotification = "bounce_notification"
    case inboundReject = "inbound_reject"
    case warning
    case otherMTA = "other_mta"
    case other

    /// The position of this kind in ``allCases``: counting per kind in an array, without a hash per line.
    public var index: Int {
        switch self {
        case .delivery: 0
        case .queued: 1
        case .expired: 2
        case .removed: 3
        case .messageID: 4
        case .header: 5
        case .bounceNotification: 6
        case .inboundReject: 7
        case .warning: 8
        case .otherMTA: 9
        case .other: 10
        }
    }
}

extension LogRecord {
    /// The kind of this record.
    public var kind: RecordKind {
        switch self {
        case .delivery: .delivery
        case .queued: .queued
        case .expired: .expired
        case .removed: .removed
        case .messageID: .messageID
        case .header: .header
        case .bounceNotification: .bounceNotification
        case .inboundReject: .inboundReject
        case .warning: .warning
        case .otherMTA: .otherMTA
        case .other: .other
        }
    }
}

/// A parsed line: its envelope and what it says.
public struct ParsedLine: Sendable, Hashable {
    public var envelope: LogEnvelope
    public var record: LogRecord
    /// An Exim `logwrite` line may carry several headers (`X-Listmonk-Campaign: A X-Listmonk-Subscriber: B`):
    /// ``record`` holds the first, this the rest, in order.
    public var extraHeaders: [LogRecord]

    public init(envelope: LogEnvelope, record: LogRecord, extraHeaders: [LogRecord] = []) {
        self.envelope = envelope
        self.record = record
        self.extraHeaders = extraHeaders
    }
}
