import BounceCore
import Testing

@testable import BounceClassifier

@Suite struct ClassifierTests {
    let c: Classifier
    init() throws { c = Classifier(set: try defaultSet()) }

    @Test func spamWith571IsSpamNotSecurityError() {
        let spam = c.classify(failure("550 5.7.1 Message refused: content looks like spam", dsn: "5.7.1", stage: .data))
        #expect(spam.reason == "spamdetected")
        #expect(spam.type == .soft && spam.fault == .sender && spam.action == .hold)
        let bare = c.classify(failure("550 5.7.1 refused", dsn: "5.7.1", stage: .rcpt))
        #expect(bare.reason == "securityerror")
        #expect(bare.rule == "code.securityerror")
    }

    @Test func genericDSNGivesWayToTheTextsCode() {
        let r = c.classify(failure("550 5.1.1 refused", dsn: "5.0.0", stage: .rcpt))
        #expect(r.reason == "userunknown" && r.type == .hard)
        #expect(r.evidence.contains("code 5.1.1 from text (dsn=5.0.0 is generic)"))
        // A specific dsn is kept even when the text carries another code.
        let kept = c.classify(failure("550 5.1.1 refused", dsn: "5.2.2", stage: .rcpt))
        #expect(kept.reason == "mailboxfull")
    }

    @Test func mailFromStageIsRejectedSenderFault() {
        let r = c.classify(failure("550 5.1.0 Address rejected", dsn: "5.1.0", stage: .mail))
        #expect(r.reason == "rejected")
        #expect(r.type == .soft && r.fault == .sender && r.action == .hold)
        #expect(r.evidence.contains("stage MAIL"))
        // The same text at RCPT is about the recipient.
        #expect(c.classify(failure("550 5.1.0 Address rejected", dsn: "5.1.0", stage: .rcpt)).reason == "userunknown")
    }

    @Test func userUnknownTextAfterDataIsFiltered() {
        #expect(c.classify(failure("550 unknown user", stage: .rcpt)).reason == "userunknown")
        #expect(c.classify(failure("550 unknown user", stage: .data)).reason == "filtered")
    }

    @Test func providerTablesComeFirst() {
        let text = "550 5.4.1 Recipient address rejected: Access denied"
        let ms = c.classify(failure(text, dsn: "5.4.1", stage: .rcpt, host: "acme-com.mail.protection.outlook.com"))
        #expect(ms.reason == "userunknown" && ms.rule == "provider.microsoft.recipient-not-found")
        #expect(ms.evidence.hasPrefix("provider microsoft"))
        let other = c.classify(failure(text, dsn: "5.4.1", stage: .rcpt, host: "mx.example.org"))
        #expect(other.reason != "userunknown")
        // Matching by recipient domain, and suffixes only at a label boundary.
        let byDomain = c.classify(
            failure("452 4.2.2 OverQuotaTemp", dsn: "4.2.2", status: .deferred, domain: "gmail.com"))
        #expect(byDomain.rule == "provider.google.overquota")
        let notGoogle = c.classify(
            failure("452 4.2.2 OverQuotaTemp", dsn: "4.2.2", status: .deferred, host: "notgoogle.com"))
        #expect(notGoogle.rule != "provider.google.overquota")
    }

    @Test func notacceptIsHardUnlessTemporary() {
        let hard = c.classify(failure("556 5.1.10 domain does not accept mail", dsn: "5.1.10"))
        #expect(hard.reason == "notaccept" && hard.type == .hard)
        let soft = c.classify(failure("451 4.3.2 not accepting mail", dsn: "4.3.2", status: .deferred))
        #expect(soft.reason == "notaccept" && soft.type == .soft)
        let wording = c.classify(failure("550 not accepting mail, temporarily", dsn: "5.0.0"))
        #expect(wording.reason == "notaccept" && wording.type == .soft)
    }

    @Test func hardOnlyForDeadAddresses() {
        let full = c.classify(failure("552 5.2.2 mailbox full", dsn: "5.2.2", stage: .rcpt))
        #expect(full.type == .soft && full.fault == .recipient && full.action == .forward)
        let blocked = c.classify(
            failure("554 5.7.1 Client host [ip] blocked using bl.example", dsn: "5.7.1", stage: .rcpt))
        #expect(blocked.reason == "blocked" && blocked.type == .soft && blocked.action == .hold)
        let unknownDomain = c.classify(failure("Host or domain name not found", dsn: "5.4.4"))
        #expect(unknownDomain.reason == "hostunknown" && unknownDomain.type == .hard)
    }

    @Test func nothingMatchedIsOnholdOrUndefined() {
        let r = c.classify(failure("550 something nobody wrote a rule for", dsn: "5.0.0", stage: .rcpt))
        #expect(r.reason == "onhold" && r.rule == "none" && r.fault == .unknown && r.action == .forward)
        #expect(c.classify(failure("", dsn: "5.0.0")).reason == "undefined")
    }

    @Test func memoAnswersLikeTheUncachedPath() throws {
        let c = Classifier(set: try defaultSet(), cacheCapacity: 4)
        let inputs = [
            failure("550 5.1.1 <a@example.org>: user unknown", dsn: "5.1.1", stage: .rcpt),
            failure("550 <b@example.net>: user unknown", dsn: "5.0.0", stage: .rcpt),
            failure("550 <b@example.net>: user unknown", dsn: "5.0.0", stage: .data),
            failure("452 4.2.2 mailbox full, id 12345678", dsn: "4.2.2", status: .deferred),
            failure("452 4.2.2 mailbox full, id 87654321", dsn: "4.2.2", status: .deferred),
            failure("550 5.4.1 Access denied", dsn: "5.4.1", stage: .rcpt, host: "x.protection.outlook.com"),
            failure("550 5.4.1 Access denied", dsn: "5.4.1", stage: .rcpt, host: "mx.example.org"),
            failure("451 4.3.2 not accepting mail", dsn: "4.3.2", status: .deferred),
            failure("451 4.3.2 not accepting mail", dsn: "4.3.2", status: .expired),
        ]
        for _ in 0..<3 {
            for e in inputs { #expect(c.classify(e) == c.classifyUncached(e)) }
        }
        let s = c.cacheStats
        #expect(s.hits > 0)
        #expect(s.count <= 8, "two generations of capacity 4")
        // Addresses and long ids normalise alike, so they share one memo entry.
        #expect(
            TextNormalizer.normalize("550 <A@x.org>: Unknown  user 123456")
                == TextNormalizer.normalize("550 <b@y.net>: unknown user 9876543"))
        // Stage and host are part of the key.
        #expect(c.classify(inputs[1]).reason != c.classify(inputs[2]).reason)
        #expect(c.classify(inputs[5]).reason != c.classify(inputs[6]).reason)
    }

    @Test func sharedAcrossTasks() async throws {
        let c = self.c
        let e = failure("550 5.1.1 user unknown", dsn: "5.1.1", stage: .rcpt)
        let results = await withTaskGroup(of: String.self) { g in
            for _ in 0..<32 { g.addTask { c.classify(e).reason } }
            var out: [String] = []
            for await r in g { out.append(r) }
            return out
        }
        #expect(results.count == 32 && Set(results) == ["userunknown"])
    }

    @Test func textCodesAndNormaliser() {
        #expect(TextCodes.enhancedCode(in: "host x[1.2.3.4] said: 550 5.1.1 <a@b>") == "5.1.1")
        #expect(TextCodes.enhancedCode(in: "version 4.16.55.1 only") == nil)
        #expect(TextCodes.enhancedCode(in: "ends with 4.2.2.") == "4.2.2")
        #expect(TextCodes.replyCode(in: "said: 550-5.7.1 text") == 550)
        #expect(TextCodes.replyCode(in: "port 25500 and 1550 ") == nil)
        #expect(TextNormalizer.normalize("Client host [192.0.2.1] BLOCKED") == "client host [ip] blocked")
        #expect(TextNormalizer.normalize("id=a1b2c3d4e5f6 ok") == "id=# ok")
        #expect(TextNormalizer.normalize("after MAIL FROM:<Bounce+x@ours.example>: no.") == "after mail from:<@>: no.")
        #expect(TextNormalizer.normalize("to a.b@example.org.") == "to @.")
    }

    @Test func lineFormatReadsItsVectors() throws {
        let set = try defaultSet()
        let f = try #require(set.formats.first)
        let a = try #require(
            f.attempt(
                from: #"x: delivery id=Q9 rcpt=<u@example.org> result=failed code=5.2.2 msg="552 5.2.2 mailbox full""#))
        #expect(a.recipient == "u@example.org" && a.status == .bounced && a.dsn == "5.2.2" && a.queueID == "Q9")
        #expect(a.replyCode == 552)
        #expect(f.attempt(from: "postfix/smtp[1]: ABC: to=<u@example.org>, status=sent") == nil)
    }
}

@Suite struct LineVerdictTests {
    let c: Classifier
    init() throws { c = Classifier(set: try defaultSet()) }

    @Test func bouncedDeliveryGetsEveryField() {
        let a = DeliveryAttempt(
            mta: .postfix, queueID: "4F2A", recipient: "who@example.org", relay: "mx.example.org[192.0.2.1]:25",
            remoteHost: "mx.example.org", dsn: "5.1.1", rawStatus: "bounced", status: .bounced, replyCode: 550,
            enhancedCode: "5.1.1", diagnostic: "host mx.example.org[192.0.2.1] said: 550 5.1.1 \"who\" unknown user",
            smtpStage: .rcpt)
        let v = LineVerdict(ParsedLine(envelope: LogEnvelope(), record: .delivery(a)), classifier: c)
        #expect(v.classification?.reason == "userunknown")
        #expect(
            v.json
                == #"{"kind":"delivery","status":"bounced","recipient":"who@example.org","dsn":"5.1.1","reply_code":550,"#
                + #""smtp_stage":"RCPT","reason":"userunknown","type":"hard","fault":"recipient","action":"forward","#
                + #""rule":"probe.userunknown.text","source":"\#(c.sources(ofRule: "probe.userunknown.text").first ?? "none")","#
                + #""evidence":"text contains \"unknown user\""}"#)
        // The deciding rule's citation is shown, so a maintainer can check the phrase at its source.
        #expect(c.sources(ofRule: "probe.userunknown.text").first?.hasPrefix("sisimai/") == true)
    }

    @Test func sentAndOtherLinesHaveNullFailureFields() {
        let sent = DeliveryAttempt(
            mta: .postfix, queueID: "Q", recipient: "a@b.example", rawStatus: "sent", status: .sent)
        let v = LineVerdict(ParsedLine(envelope: LogEnvelope(), record: .delivery(sent)), classifier: c)
        #expect(v.classification == nil)
        #expect(
            v.json.hasSuffix(
                #""reason":null,"type":null,"fault":null,"action":null,"rule":null,"source":null,"evidence":null}"#))
        let other = LineVerdict(ParsedLine(envelope: LogEnvelope(), record: .other), classifier: c)
        #expect(
            other.json
                == #"{"kind":"other","status":null,"recipient":null,"dsn":null,"reply_code":null,"smtp_stage":null,"reason":null,"type":null,"fault":null,"action":null,"rule":null,"source":null,"evidence":null}"#
        )
    }

    @Test func deferredAndExpiredAreClassifiedToo() {
        let d = DeliveryAttempt(
            mta: .exim, queueID: "1abc", recipient: "a@b.example", rawStatus: "==", status: .deferred,
            diagnostic: "SMTP error from remote mail server after RCPT TO:<a@b.example>: 452 4.2.2 mailbox full",
            smtpStage: .rcpt)
        let v = LineVerdict(ParsedLine(envelope: LogEnvelope(), record: .delivery(d)), classifier: c)
        #expect(v.classification?.reason == "mailboxfull" && v.classification?.type == .soft)
        let e = LineVerdict(
            ParsedLine(
                envelope: LogEnvelope(),
                record: .expired(mta: .postfix, queueID: "Q", sender: "s@x.example", rawStatus: "expired")),
            classifier: c)
        #expect(e.status == .expired && e.classification?.reason == "expired" && e.recipient == nil)
    }
}
