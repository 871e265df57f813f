import BounceCore
import Testing

@Suite("Exim lines")
struct EximLineTests {
    let t = "2026-11-20 09:30:12 "

    @Test("arrival: sender, Message-ID, size; bounce notification with R=")
    func arrival() {
        #expect(
            parseLine(
                t
                    + "1vRaBc-0003Xy-4D <= news@lists.example H=(lists.example) [127.0.0.1] P=esmtp S=9012 id=a1b2c3d4@lists.example T=\"Weekly id=fake S=1\""
            ).record
                == .queued(
                    QueuedMessage(
                        mta: .exim, queueID: "1vRaBc-0003Xy-4D", sender: "news@lists.example",
                        messageID: "a1b2c3d4@lists.example", size: 9012)))
        #expect(
            parseLine(t + "1vRaBd-0003Z0-1A <= <> R=1vRaBc-0003Xy-4D U=Debian-exim P=local S=2300").record
                == .queued(
                    QueuedMessage(
                        mta: .exim, queueID: "1vRaBd-0003Z0-1A", sender: "", bounceOf: "1vRaBc-0003Xy-4D", size: 2300)))
    }

    @Test("delivered: => -> >> *> with host and confirmation")
    func delivered() throws {
        for flag in ["=>", "->", ">>", "*>"] {
            let a = try #require(
                deliveryOf(
                    t
                        + "1vRaBc-0003Xy-4D \(flag) quinn@h.example <list@lists.example> R=dnslookup T=remote_smtp H=mx.h.example [198.51.100.20] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 Ok: queued as 5E6F7A8B9C\""
                ))
            #expect(a.rawStatus == flag)
            #expect(a.status == .sent)
            #expect(a.recipient == "quinn@h.example")
            #expect(a.originalRecipient == "list@lists.example")
            #expect(a.agent == "remote_smtp")
            #expect(a.relay == "mx.h.example [198.51.100.20]")
            #expect(a.remoteHost == "mx.h.example")
            #expect(a.replyCode == 250)
            #expect(a.queuedAs == "5E6F7A8B9C")
        }
    }

    @Test("failed after RCPT TO: stage, code, enhanced code, text")
    func failedRcpt() throws {
        let a = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4E ** rita@i.example R=dnslookup T=remote_smtp H=mx.i.example [198.51.100.21]: SMTP error from remote mail server after RCPT TO:<rita@i.example>: 550 5.1.1 <rita@i.example>: mailbox unavailable"
            ))
        #expect(a.status == .bounced)
        #expect(a.rawStatus == "**")
        #expect(a.recipient == "rita@i.example")
        #expect(a.remoteHost == "mx.i.example")
        #expect(a.relay == "mx.i.example [198.51.100.21]")
        #expect(a.smtpStage == .rcpt)
        #expect(a.replyCode == 550)
        #expect(a.enhancedCode == "5.1.1")
        #expect(
            a.diagnostic
                == "SMTP error from remote mail server after RCPT TO:<rita@i.example>: 550 5.1.1 <rita@i.example>: mailbox unavailable"
        )
        #expect(a.isAttempt)
    }

    @Test("Exim 4.99 ' : ' separator and 4.97+ message ids")
    func newForms() throws {
        let a = try #require(
            deliveryOf(
                t
                    + "1vRaBc-000000003Xy-0004 ** sam@j.example R=dnslookup T=remote_smtp H=mx.j.example [198.51.100.22] : SMTP error from remote mail server after end of data: 554 5.7.1 rejected as spam"
            ))
        #expect(a.queueID == "1vRaBc-000000003Xy-0004")
        #expect(a.smtpStage == .data)
        #expect(a.replyCode == 554)
        #expect(a.enhancedCode == "5.7.1")
        #expect(a.remoteHost == "mx.j.example")
        #expect(
            parseLine(t + "1vRaBc-000000003Xy-0004 Completed").record
                == .removed(mta: .exim, queueID: "1vRaBc-000000003Xy-0004"))
    }

    @Test("escaped multi-line reply flattened")
    func multiline() throws {
        let a = try #require(
            deliveryOf(
                t
                    + #"1vRaBc-0003Xy-4F ** tom@mail.example R=dnslookup T=remote_smtp H=aspmx.mail.example [192.0.2.40]: SMTP error from remote mail server after RCPT TO:<tom@mail.example>: 550-5.1.1 The mailbox you tried to reach does not exist.\n550-5.1.1 Please check the spelling.\n550 5.1.1  ref-7 - xsmtp"#
            ))
        #expect(a.replyCode == 550)
        #expect(a.enhancedCode == "5.1.1")
        #expect(
            a.diagnostic
                == "SMTP error from remote mail server after RCPT TO:<tom@mail.example>: 550 5.1.1 The mailbox you tried to reach does not exist. Please check the spelling. ref-7 - xsmtp"
        )
    }

    @Test("deferred forms: remote 4xx, retry time not reached, connection refused")
    func deferred() throws {
        let a = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4G == uma@k.example R=dnslookup T=remote_smtp defer (-44) H=mx.k.example [198.51.100.23]: SMTP error from remote mail server after RCPT TO:<uma@k.example>: 451 4.7.1 greylisted, come back later"
            ))
        #expect(a.status == .deferred)
        #expect(a.replyCode == 451)
        #expect(a.enhancedCode == "4.7.1")
        #expect(a.smtpStage == .rcpt)
        #expect(a.isAttempt)
        let b = try #require(
            deliveryOf(t + "1vRaBc-0003Xy-4H == vic@k.example routing defer (-52): retry time not reached"))
        #expect(!b.isAttempt)
        #expect(b.recipient == "vic@k.example")
        let c = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4J == wes@l.example R=dnslookup T=remote_smtp defer (-54): retry time not reached for any host for 'l.example'"
            ))
        #expect(!c.isAttempt)
        #expect(c.agent == "remote_smtp")
        let d = try #require(
            deliveryOf(
                t + "1vRaBc-0003Xy-4K == xia@l.example R=dnslookup T=remote_smtp defer (111): Connection refused"))
        #expect(d.isAttempt)
        #expect(d.diagnostic == "Connection refused")
        let e = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4L == yan@m.example R=dnslookup T=remote_smtp defer (-53): SMTP error from remote mail server after MAIL FROM:<news@lists.example> SIZE=1234: 452 4.3.1 Insufficient system storage"
            ))
        #expect(e.smtpStage == .mail)
        #expect(e.replyCode == 452)
        let f = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4M == zed@n.example R=dnslookup T=remote_smtp defer (-44) H=mx.n.example [198.51.100.24]: SMTP error from remote mail server after initial connection: 421 4.7.0 Try again later, closing connection"
            ))
        #expect(f.smtpStage == .conn)
        #expect(f.replyCode == 421)
    }

    @Test("older Exim: the host named inside the error text")
    func hostInError() throws {
        let a = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4S == eve@p.example R=dnslookup T=remote_smtp defer (-44): SMTP error from remote mail server after RCPT TO:<eve@p.example>: host mx.p.example [198.51.100.31]: 451 4.3.0 Temporary lookup failure"
            ))
        #expect(a.replyCode == 451)
        #expect(a.enhancedCode == "4.3.0")
        #expect(a.remoteHost == "mx.p.example")
        #expect(a.relay == "mx.p.example [198.51.100.31]")
        #expect(a.smtpStage == .rcpt)
    }

    @Test("retry timeout and failing hosts are bounced as written, flagged as retry timeouts")
    func retryTimeouts() throws {
        let a = try #require(deliveryOf(t + "1vRaBc-0003Xy-4N ** amy@o.example: retry timeout exceeded"))
        #expect(a.status == .bounced)
        #expect(a.isRetryTimeout)
        #expect(!a.isAttempt)
        #expect(a.recipient == "amy@o.example")
        let b = try #require(
            deliveryOf(
                t
                    + "1vRaBc-0003Xy-4P ** bo@o.example R=dnslookup T=remote_smtp: all hosts for 'o.example' have been failing for a long time (and retry time not reached)"
            ))
        #expect(b.isRetryTimeout)
        #expect(b.agent == "remote_smtp")
        #expect(b.status == .bounced)
    }

    @Test("unrouteable address and parent addresses")
    func unrouteable() throws {
        let a = try #require(deliveryOf(t + "1vRaBc-0003Xy-4Q ** cy@nx.example: Unrouteable address"))
        #expect(a.recipient == "cy@nx.example")
        #expect(a.diagnostic == "Unrouteable address")
        #expect(a.replyCode == nil)
        #expect(a.isAttempt)
        let b = try #require(
            deliveryOf(t + "1vRaBc-0003Xy-4R ** di@nx.example <alias@lists.example>: Unrouteable address"))
        #expect(b.recipient == "di@nx.example")
        #expect(b.originalRecipient == "alias@lists.example")
        #expect(b.diagnostic == "Unrouteable address")
    }

    @Test("DATA-ACL logwrite headers: first in record, rest in extraHeaders")
    func headers() {
        let p = parseLine(
            t
                + "1vRaBc-0003Xy-4D X-Listmonk-Campaign: 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f X-Listmonk-Subscriber: 0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a"
        )
        #expect(
            p.record
                == .header(
                    mta: .exim, queueID: "1vRaBc-0003Xy-4D", name: "X-Listmonk-Campaign",
                    value: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"))
        #expect(
            p.extraHeaders == [
                .header(
                    mta: .exim, queueID: "1vRaBc-0003Xy-4D", name: "X-Listmonk-Subscriber",
                    value: "0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a")
            ])
        // A header missing from the message logs an empty value.
        let e = parseLine(t + "1vRaBc-0003Xy-4D X-Listmonk-Campaign:  X-Listmonk-Subscriber: ")
        #expect(e.record == .header(mta: .exim, queueID: "1vRaBc-0003Xy-4D", name: "X-Listmonk-Campaign", value: ""))
        #expect(e.extraHeaders.count == 1)
    }

    @Test("inbound rejects and other Exim lines")
    func negatives() {
        #expect(
            parseLine(
                t
                    + "H=(helo.example) [203.0.113.50] F=<x@y.example> rejected RCPT <nobody@lists.example>: relay not permitted"
            ).record == .inboundReject(mta: .exim))
        #expect(
            parseLine(
                t
                    + "[4711] 1vRaBc-0003Xy-4D H=(helo.example) [203.0.113.50] F=<x@y.example> rejected after DATA: spam score too high"
            ).record.kind == .inboundReject)
        #expect(
            parseLine(t + "exim 4.96 daemon started: pid=100, -q30m, listening for SMTP on port 25").record
                == .otherMTA(mta: .exim))
        #expect(
            parseLine(t + "1vRaBc-0003Xy-4D H=mx.q.example [198.51.100.30] Connection refused").record.kind == .otherMTA
        )
        #expect(
            parseLine(t + "1vRaBc-0003Xy-4D (= x@y.example H=(a) [203.0.113.5] P=esmtp S=10").record.kind == .otherMTA)
        #expect(parseLine(t + "1vRaBc-0003Xy-4D Frozen").record.kind == .otherMTA)
    }
}
