import BounceCore
import Testing

@Suite("Postfix lines")
struct PostfixLineTests {
    let prefix = "Nov 20 08:14:02 relay7 "

    @Test("smtp bounced: recipient, relay, dsn, reply, enhanced code, stage")
    func smtpBounced() throws {
        let a = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[4410]: 5C0DE27A13: to=<dave@example.org>, relay=mx2.example.org[198.51.100.9]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=5.1.1, status=bounced (host mx2.example.org[198.51.100.9] said: 550 5.1.1 <dave@example.org>: Recipient address rejected: no such mailbox (in reply to RCPT TO command))"
            ))
        #expect(a.mta == .postfix)
        #expect(a.queueID == "5C0DE27A13")
        #expect(a.recipient == "dave@example.org")
        #expect(a.originalRecipient == nil)
        #expect(a.agent == "smtp")
        #expect(a.relay == "mx2.example.org[198.51.100.9]:25")
        #expect(a.remoteHost == "mx2.example.org")
        #expect(a.dsn == "5.1.1")
        #expect(a.rawStatus == "bounced")
        #expect(a.status == .bounced)
        #expect(a.replyCode == 550)
        #expect(a.enhancedCode == "5.1.1")
        #expect(a.smtpStage == .rcpt)
        #expect(
            a.diagnostic
                == "host mx2.example.org[198.51.100.9] said: 550 5.1.1 <dave@example.org>: Recipient address rejected: no such mailbox (in reply to RCPT TO command)"
        )
        #expect(a.isAttempt)
        #expect(!a.isRetryTimeout)
        #expect(a.queuedAs == nil)
    }

    @Test("every delivery agent, multi-instance names and relay/smtp")
    func agents() throws {
        for (program, agent) in [
            ("postfix/smtp", "smtp"), ("postfix/lmtp", "lmtp"), ("postfix/local", "local"),
            ("postfix/virtual", "virtual"), ("postfix/pipe", "pipe"), ("postfix/error", "error"),
            ("postfix/relay/smtp", "relay/smtp"), ("postfix/discard", "discard"),
            ("postfix-out/smtp", "smtp"), ("postfix-203.0.113.4/smtp", "smtp"),
        ] {
            let a = try #require(
                deliveryOf(
                    prefix
                        + "\(program)[12]: 5C0DE27A13: to=<erin@example.com>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)"
                ), "\(program)")
            #expect(a.agent == agent)
            #expect(a.status == .sent)
        }
    }

    @Test("every status word, normalised")
    func statusWords() throws {
        for (word, status) in [
            ("sent", DeliveryStatus.sent), ("deferred", .deferred), ("bounced", .bounced), ("expired", .expired),
            ("SOFTBOUNCE", .deferred), ("force-expired", .expired), ("undeliverable", .other),
            ("deliverable", .other), ("undeliverable-but-not-cached", .other), ("weird", .other),
        ] {
            let a = try #require(
                deliveryOf(
                    prefix
                        + "postfix/smtp[1]: 5C0DE27A13: to=<frank@example.com>, relay=none, delay=0, delays=0/0/0/0, dsn=4.0.0, status=\(word) (whatever)"
                ))
            #expect(a.rawStatus == word)
            #expect(a.status == status, "\(word)")
        }
    }

    @Test("long queue ids, to= without brackets, orig_to=, no dsn (old Postfix)")
    func fieldVariants() throws {
        let a = try #require(
            deliveryOf(
                prefix
                    + "postfix/local[9]: 4cG7Hm2TqQz9Xw1: to=grace@example.net, orig_to=<postmaster@example.net>, relay=local, delay=0.01, delays=0/0/0/0, status=sent (delivered to mailbox)"
            ))
        #expect(a.queueID == "4cG7Hm2TqQz9Xw1")
        #expect(a.recipient == "grace@example.net")
        #expect(a.originalRecipient == "postmaster@example.net")
        #expect(a.dsn == nil)
        #expect(a.remoteHost == "local")
        #expect(a.replyCode == nil)
        let b = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[9]: 9F1E2D3C4B5A6978ABCDE: to=<heidi@example.com>, orig_to=<alias@example.com>, relay=none, delay=0, dsn=4.4.1, status=deferred (connect to mx.example.com[203.0.113.5]:25: Connection timed out)"
            ))
        #expect(b.queueID == "9F1E2D3C4B5A6978ABCDE")
        #expect(b.originalRecipient == "alias@example.com")
        #expect(b.remoteHost == nil)
        #expect(b.smtpStage == .conn)
    }

    @Test("flattened multi-line reply: continuation prefixes stripped from the diagnostic")
    func multiline() throws {
        let a = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[2]: 77AB01CD2E: to=<ivan@mail.example>, relay=aspmx.mail.example[192.0.2.33]:25, delay=0.9, delays=0/0/0.4/0.5, dsn=5.1.1, status=bounced (host aspmx.mail.example[192.0.2.33] said: 550-5.1.1 The mailbox you tried to reach does not exist. Please 550-5.1.1 check the spelling and try 550 5.1.1  again. ref-93kd02 - xsmtp (in reply to RCPT TO command))"
            ))
        #expect(a.replyCode == 550)
        #expect(a.enhancedCode == "5.1.1")
        #expect(a.smtpStage == .rcpt)
        #expect(
            a.diagnostic
                == "host aspmx.mail.example[192.0.2.33] said: 550 5.1.1 The mailbox you tried to reach does not exist. Please check the spelling and try again. ref-93kd02 - xsmtp (in reply to RCPT TO command)"
        )
        let q = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[2]: 77AB01CD2F: to=<judy@mail.example>, relay=aspmx.mail.example[192.0.2.33]:25, delay=0.9, delays=0/0/0.4/0.5, dsn=4.2.2, status=deferred (host aspmx.mail.example[192.0.2.33] said: 452-4.2.2 The mailbox is over its storage quota. 452 4.2.2 Try later. ref-1 (in reply to RCPT TO command))"
            ))
        #expect(
            q.diagnostic
                == "host aspmx.mail.example[192.0.2.33] said: 452 4.2.2 The mailbox is over its storage quota. Try later. ref-1 (in reply to RCPT TO command)"
        )
        #expect(q.status == .deferred)
    }

    @Test("SMTP stages")
    func stages() throws {
        let cases: [(String, SMTPStage?)] = [
            (
                "host a.example[192.0.2.1] said: 554 5.7.1 Message refused as spam (in reply to end of DATA command)",
                .data
            ),
            ("host a.example[192.0.2.1] said: 554 5.7.1 no (in reply to DATA command)", .data),
            ("host a.example[192.0.2.1] said: 553 5.1.8 sender rejected (in reply to MAIL FROM command)", .mail),
            ("host a.example[192.0.2.1] said: 501 5.5.2 bad helo (in reply to EHLO command)", .ehlo),
            ("host a.example[192.0.2.1] said: 501 bad helo (in reply to HELO command)", .ehlo),
            ("host a.example[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable; client blocked", .conn),
            ("lost connection with a.example[192.0.2.1] while receiving the initial server greeting", .conn),
            ("lost connection with a.example[192.0.2.1] while performing the EHLO handshake", .ehlo),
            ("lost connection with a.example[192.0.2.1] while sending MAIL FROM", .mail),
            ("lost connection with a.example[192.0.2.1] while sending RCPT TO", .rcpt),
            ("conversation with a.example[192.0.2.1] timed out while sending message body", .data),
            (
                "lost connection with a.example[192.0.2.1] while sending end of data -- message may be sent more than once",
                .data
            ),
            ("Host or domain name not found. Name service error for name=nowhere.example type=MX: Host not found", nil),
        ]
        for (text, stage) in cases {
            let a = try #require(
                deliveryOf(
                    prefix
                        + "postfix/smtp[3]: 0A1B2C3D4E: to=<kim@a.example>, relay=a.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=5.0.0, status=bounced (\(text))"
                ))
            #expect(a.smtpStage == stage, "\(text)")
        }
        let conn = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[3]: 0A1B2C3D4E: to=<kim@a.example>, relay=a.example[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=5.7.1, status=bounced (host a.example[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable; client blocked)"
            ))
        #expect(conn.replyCode == 554)
        #expect(conn.enhancedCode == "5.7.1")
    }

    @Test("enhanced code from the text when dsn is generic, reply code alone, no code")
    func codes() throws {
        let a = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[3]: 0A1B2C3D4E: to=<leo@b.example>, relay=b.example[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=5.0.0, status=bounced (host b.example[192.0.2.2] said: 511 sorry, no mailbox here by that name (#5.1.1) (in reply to RCPT TO command))"
            ))
        #expect(a.dsn == "5.0.0")
        #expect(a.replyCode == 511)
        #expect(a.enhancedCode == "5.1.1")
        let b = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[3]: 0A1B2C3D4E: to=<leo@b.example>, relay=b.example[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=5.0.0, status=bounced (host b.example[192.0.2.2] said: 554 delivery error: this user does not exist [10.0.0.1] (in reply to RCPT TO command))"
            ))
        #expect(b.replyCode == 554)
        #expect(b.enhancedCode == nil)
        let c = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[3]: 0A1B2C3D4E: to=<leo@nx.example>, relay=none, delay=0, delays=0/0/0/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=nx.example type=A: Host not found)"
            ))
        #expect(c.replyCode == nil)
        #expect(c.enhancedCode == nil)
        #expect(c.diagnostic.hasPrefix("Host or domain name not found."))
    }

    @Test("sent with queued as; delivery temporarily suspended is not an attempt")
    func sentAndSuspended() throws {
        let a = try #require(
            deliveryOf(
                prefix
                    + "postfix/smtp[5]: 3E4F5A6B7C: to=<mia@c.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.3, delays=0/0/0/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 8D9E0F1A2B)"
            ))
        #expect(a.queuedAs == "8D9E0F1A2B")
        #expect(a.replyCode == 250)
        #expect(a.enhancedCode == "2.0.0")
        #expect(a.remoteHost == "127.0.0.1")
        let b = try #require(
            deliveryOf(
                prefix
                    + "postfix/error[6]: 3E4F5A6B7D: to=<noah@d.example>, relay=none, delay=40, delays=40/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to d.example[203.0.113.9]:25: Connection refused)"
            ))
        #expect(!b.isAttempt)
        #expect(b.agent == "error")
        #expect(b.status == .deferred)
        #expect(b.smtpStage == .conn)
    }

    @Test("qmgr: queued, expired, force-expired, removed")
    func qmgr() {
        #expect(
            parseLine(
                prefix + "postfix/qmgr[700]: 3E4F5A6B7C: from=<news@lists.example>, size=5120, nrcpt=3 (queue active)"
            ).record
                == .queued(
                    QueuedMessage(
                        mta: .postfix, queueID: "3E4F5A6B7C", sender: "news@lists.example", size: 5120,
                        recipientCount: 3)))
        #expect(
            parseLine(prefix + "postfix/qmgr[700]: 3E4F5A6B7C: from=<>, size=2048, nrcpt=1 (queue active)").record
                == .queued(
                    QueuedMessage(mta: .postfix, queueID: "3E4F5A6B7C", sender: "", size: 2048, recipientCount: 1)))
        #expect(
            parseLine(
                prefix + "postfix/qmgr[700]: 3E4F5A6B7C: from=<news@lists.example>, status=expired, returned to sender"
            ).record
                == .expired(mta: .postfix, queueID: "3E4F5A6B7C", sender: "news@lists.example", rawStatus: "expired"))
        #expect(
            parseLine(
                prefix
                    + "postfix/qmgr[700]: 3E4F5A6B7C: from=<news@lists.example>, status=force-expired, returned to sender"
            ).record
                == .expired(
                    mta: .postfix, queueID: "3E4F5A6B7C", sender: "news@lists.example", rawStatus: "force-expired"))
        #expect(
            parseLine(prefix + "postfix/qmgr[700]: 3E4F5A6B7C: removed").record
                == .removed(mta: .postfix, queueID: "3E4F5A6B7C"))
    }

    @Test("cleanup: message-id and logged headers")
    func cleanup() {
        #expect(
            parseLine(prefix + "postfix/cleanup[801]: 3E4F5A6B7C: message-id=<c0ffee-42@lists.example>").record
                == .messageID(mta: .postfix, queueID: "3E4F5A6B7C", messageID: "c0ffee-42@lists.example"))
        #expect(
            parseLine(
                prefix
                    + "postfix/cleanup[801]: 3E4F5A6B7C: info: header X-Listmonk-Campaign: 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f from localhost[127.0.0.1]; from=<news@lists.example> to=<olga@e.example> proto=ESMTP helo=<lists.example>"
            ).record
                == .header(
                    mta: .postfix, queueID: "3E4F5A6B7C", name: "X-Listmonk-Campaign",
                    value: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"))
        #expect(
            parseLine(
                prefix
                    + "postfix/cleanup[801]: 3E4F5A6B7C: warning: header X-Listmonk-Subscriber: 0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a from local; from=<news@lists.example>"
            ).record
                == .header(
                    mta: .postfix, queueID: "3E4F5A6B7C", name: "X-Listmonk-Subscriber",
                    value: "0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a"))
        // A value that itself contains " from ".
        #expect(
            parseLine(
                prefix
                    + "postfix/cleanup[801]: 3E4F5A6B7C: info: header Subject: news from us from localhost[127.0.0.1]; from=<a@b.example> to=<c@d.example>"
            ).record
                == .header(mta: .postfix, queueID: "3E4F5A6B7C", name: "Subject", value: "news from us"))
    }

    @Test("bounce notifications")
    func bounceNotice() {
        #expect(
            parseLine(prefix + "postfix/bounce[902]: 3E4F5A6B7C: sender non-delivery notification: 4A5B6C7D8E").record
                == .bounceNotification(
                    mta: .postfix, queueID: "3E4F5A6B7C", notificationQueueID: "4A5B6C7D8E", kind: "sender non-delivery"
                ))
        #expect(
            parseLine(prefix + "postfix/bounce[902]: 3E4F5A6B7C: sender delay notification: 4A5B6C7D8F").record.kind
                == .bounceNotification)
    }

    @Test("inbound rejects, warnings and other Postfix lines")
    func negatives() {
        #expect(
            parseLine(
                prefix
                    + "postfix/smtpd[55]: NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 <spam@e.example>: Relay access denied; from=<x@y.example> to=<spam@e.example> proto=ESMTP helo=<z>"
            ).record
                == .inboundReject(mta: .postfix))
        #expect(
            parseLine(
                prefix
                    + "postfix-incoming/smtpd[55]: 3E4F5A6B7C: reject: RCPT from unknown[203.0.113.77]: 450 4.7.1 Client host rejected"
            ).record.kind == .inboundReject)
        #expect(
            parseLine(
                prefix
                    + "postfix/cleanup[55]: 3E4F5A6B7C: milter-reject: END-OF-MESSAGE from unknown[203.0.113.77]: 5.7.1 spam"
            ).record.kind == .inboundReject)
        #expect(
            parseLine(prefix + "postfix/qmgr[700]: warning: backward time jump detected -- slewing clock").record
                == .warning(mta: .postfix))
        #expect(
            parseLine(prefix + "postfix/smtp[1]: warning: no MX host for example.invalid has a valid address record")
                .record.kind == .warning)
        #expect(
            parseLine(prefix + "postfix/smtpd[55]: connect from unknown[203.0.113.77]").record
                == .otherMTA(mta: .postfix))
        #expect(
            parseLine(prefix + "postfix/smtp[1]: connect to mx.f.example[192.0.2.8]:25: Connection refused").record.kind
                == .otherMTA)
        #expect(
            parseLine(
                prefix
                    + "postfix/anvil[9]: statistics: max connection rate 1/60s for (smtp:192.0.2.1) at Nov 20 08:10:00"
            ).record.kind == .otherMTA)
        #expect(
            parseLine(prefix + "postfix/smtpd[55]: 3E4F5A6B7C: client=localhost[127.0.0.1]").record.kind == .otherMTA)
        #expect(parseLine(prefix + "postfix/pickup[8]: 3E4F5A6B7C: uid=1000 from=<app>").record.kind == .otherMTA)
    }

    @Test("bare Postfix messages (no syslog prefix) are recognised by structure")
    func bare() {
        #expect(
            parseLine(
                "3E4F5A6B7C: to=<p@g.example>, relay=none, delay=1, delays=1/0/0/0, dsn=5.4.6, status=bounced (mail forwarding loop for p@g.example)"
            ).record.kind == .delivery)
        #expect(parseLine("3E4F5A6B7C: removed").record.kind == .removed)
        #expect(
            parseLine("NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 no").record.kind == .inboundReject)
        #expect(parseLine("statistics: max cache size 1 at Nov 20 08:10:00").record == .other)
    }
}
