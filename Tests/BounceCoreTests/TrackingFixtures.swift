@testable import BounceCore

/// Builders for the parsed lines the tracker tests feed, written by hand (no parser involved).
enum TF {
    static let host = "mx1"
    static let list = "news@lists.example.org"
    static let campaign = "2f1c9a4e-8b7d-4c3a-9e21-5a6b7c8d9e0f"
    static let subscriber = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
    /// 2026-11-26T00:00:00Z.
    static let base: Int64 = 1_795_651_200

    static func t(_ seconds: Int64) -> LogTime { LogTime(seconds: base + seconds) }

    static func line(_ r: LogRecord, at s: Int64?, extra: [LogRecord] = [], syslogHost: String? = "mx1") -> ParsedLine {
        ParsedLine(
            envelope: LogEnvelope(time: s.map(t), host: syslogHost, program: "postfix/x"), record: r,
            extraHeaders: extra)
    }

    static func queued(_ qid: String, from: String = list, mta: MTA = .postfix, messageID: String? = nil, at s: Int64)
        -> ParsedLine
    {
        line(
            .queued(QueuedMessage(mta: mta, queueID: qid, sender: from, messageID: messageID, recipientCount: 1)), at: s
        )
    }

    static func messageID(_ qid: String, _ mid: String, at s: Int64) -> ParsedLine {
        line(.messageID(mta: .postfix, queueID: qid, messageID: mid), at: s)
    }

    static func header(_ qid: String, _ name: String, _ value: String, mta: MTA = .postfix, at s: Int64) -> ParsedLine {
        line(.header(mta: mta, queueID: qid, name: name, value: value), at: s)
    }

    /// Both listmonk headers, as two Postfix cleanup lines.
    static func listmonkHeaders(_ qid: String, at s: Int64) -> [ParsedLine] {
        [
            header(
                qid, "X-Listmonk-Campaign",
                "\(campaign) from localhost[127.0.0.1]; from=<\(list)> to=<x@y> proto=ESMTP", at: s),
            header(qid, "X-Listmonk-Subscriber", "\(subscriber) from localhost[127.0.0.1]; from=<\(list)>", at: s),
        ]
    }

    static func attempt(
        _ qid: String, to: String, _ status: DeliveryStatus, raw: String? = nil, mta: MTA = .postfix,
        agent: String = "smtp", relay: String? = nil, remoteHost: String? = nil, dsn: String? = nil,
        code: Int? = nil, enhanced: String? = nil, diag: String = "", stage: SMTPStage? = nil,
        orig: String? = nil, queuedAs: String? = nil, isAttempt: Bool = true, retryTimeout: Bool = false
    ) -> DeliveryAttempt {
        DeliveryAttempt(
            mta: mta, queueID: qid, recipient: to, originalRecipient: orig, agent: agent, relay: relay,
            remoteHost: remoteHost, dsn: dsn, rawStatus: raw ?? status.rawValue, status: status, replyCode: code,
            enhancedCode: enhanced, diagnostic: diag, smtpStage: stage, queuedAs: queuedAs, isAttempt: isAttempt,
            isRetryTimeout: retryTimeout)
    }

    static func delivery(_ a: DeliveryAttempt, at s: Int64?) -> ParsedLine { line(.delivery(a), at: s) }

    static func bounced550(_ qid: String, to: String = "gone@example.com", at s: Int64?) -> ParsedLine {
        delivery(
            attempt(
                qid, to: to, .bounced, relay: "mx.example.com[192.0.2.10]:25", remoteHost: "mx.example.com",
                dsn: "5.1.1", code: 550, enhanced: "5.1.1",
                diag:
                    "host mx.example.com[192.0.2.10] said: 550 5.1.1 <\(to)>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
                stage: .rcpt), at: s)
    }

    static func deferred(_ qid: String, to: String = "slow@example.com", diag: String, code: Int? = 451, at s: Int64)
        -> ParsedLine
    {
        delivery(
            attempt(
                qid, to: to, .deferred, relay: "mx.example.com[192.0.2.10]:25", remoteHost: "mx.example.com",
                dsn: "4.0.0", code: code, diag: diag), at: s)
    }

    static func suspended(_ qid: String, to: String, at s: Int64) -> ParsedLine {
        delivery(
            attempt(
                qid, to: to, .deferred, agent: "error", relay: "none", dsn: "4.4.1",
                diag: "delivery temporarily suspended: connect to mx.example.com[192.0.2.10]:25: Connection timed out",
                isAttempt: false), at: s)
    }

    static func sent(
        _ qid: String, to: String, relay: String = "mx.example.com[192.0.2.10]:25",
        remoteHost: String? = "mx.example.com", queuedAs: String? = nil, orig: String? = nil, at s: Int64
    ) -> ParsedLine {
        delivery(
            attempt(
                qid, to: to, .sent, relay: relay, remoteHost: remoteHost, dsn: "2.0.0", code: 250,
                diag: "250 2.0.0 Ok: queued as \(queuedAs ?? "XYZ")", orig: orig, queuedAs: queuedAs), at: s)
    }

    static func expired(_ qid: String, from: String = list, at s: Int64) -> ParsedLine {
        line(.expired(mta: .postfix, queueID: qid, sender: from, rawStatus: "expired"), at: s)
    }

    static func removed(_ qid: String, mta: MTA = .postfix, at s: Int64) -> ParsedLine {
        line(.removed(mta: mta, queueID: qid), at: s)
    }

    static func tracker(_ configure: (inout TrackerOptions) -> Void = { _ in }) -> MessageTracker {
        var o = TrackerOptions(host: host)
        configure(&o)
        return MessageTracker(options: o)
    }

    /// Feeds all lines, returning every outcome in order.
    static func run(_ tracker: inout MessageTracker, _ lines: [ParsedLine]) -> [FinalOutcome] {
        lines.flatMap { tracker.ingest($0) }
    }

    static func classification(
        _ reason: String = "userunknown", _ type: BounceType = .hard, fault: Fault = .recipient,
        action: ForwardAction = .forward
    ) -> Classification {
        Classification(
            reason: reason, type: type, fault: fault, action: action, rule: "test.\(reason)", evidence: "test")
    }
}
