import Testing

@testable import BounceCore

@Suite("MessageTracker outcomes")
struct TrackingOutcomeTests {
    @Test func hardBounceCarriesSenderHeadersAndMessageID() {
        var tr = TF.tracker()
        var lines = [TF.messageID("4Qx1", "m1@lists.example.org", at: 0)]
        lines += TF.listmonkHeaders("4Qx1", at: 0)
        lines += [TF.queued("4Qx1", at: 1), TF.bounced550("4Qx1", at: 2), TF.removed("4Qx1", at: 3)]
        let out = TF.run(&tr, lines)
        #expect(out.count == 1)
        let o = out[0]
        #expect(o.kind == .bounced)
        #expect(o.host == TF.host)
        #expect(o.queueID == "4Qx1")
        #expect(o.recipient == "gone@example.com")
        #expect(o.sender == TF.list)
        #expect(o.messageID == "m1@lists.example.org")
        #expect(o.campaignUUID == TF.campaign)
        #expect(o.subscriberUUID == TF.subscriber)
        #expect(o.firstSeen == TF.t(0))
        #expect(o.time == TF.t(2))
        #expect(o.evidence?.replyCode == 550)
        #expect(tr.messageCount == 0, "state is dropped at removed")
    }

    @Test func softBounceIsABouncedOutcomeWithItsOwnLineAsEvidence() {
        var tr = TF.tracker()
        let full = TF.delivery(
            TF.attempt(
                "5A", to: "full@example.com", .bounced, remoteHost: "mx.example.com", dsn: "5.2.2", code: 552,
                diag: "552 5.2.2 Mailbox full", stage: .data), at: 5)
        let out = TF.run(&tr, [TF.queued("5A", at: 0), full])
        #expect(out.map(\.kind) == [.bounced])
        #expect(out[0].evidence?.dsn == "5.2.2")
        #expect(out[0].rawStatus == "bounced")
    }

    @Test func greylistedThenDeliveredGivesNothing() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("G1", at: 0),
                TF.deferred(
                    "G1", to: "grey@example.com",
                    diag: "450 4.2.0 <grey@example.com>: Recipient address rejected: Greylisted", code: 450, at: 1),
                TF.queued("G1", at: 300),
                TF.sent("G1", to: "grey@example.com", at: 301),
                TF.removed("G1", at: 302),
            ])
        #expect(out.isEmpty)
        #expect(tr.counters.delivered == 1)
        #expect(tr.counters.outcomes == 0)
    }

    @Test func deferralsAloneGiveNothing() {
        var tr = TF.tracker()
        let out = TF.run(&tr, (0..<5).map { TF.deferred("D1", diag: "try \($0)", at: Int64($0) * 3600) })
        #expect(out.isEmpty)
        #expect(tr.messageCount == 1)
    }

    @Test func deferredThenExpiredEmitsOneEventWithTheLastDeferralAsEvidence() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("E1", at: 0),
                TF.deferred("E1", to: "q@example.com", diag: "452 4.2.2 first: mailbox over quota", code: 452, at: 10),
                TF.deferred("E1", to: "q@example.com", diag: "452 4.2.2 last: mailbox over quota", code: 452, at: 20),
                TF.expired("E1", at: 30),
                TF.line(
                    .bounceNotification(
                        mta: .postfix, queueID: "E1", notificationQueueID: "N1",
                        kind: "sender non-delivery notification"), at: 30),
                TF.removed("E1", at: 31),
            ])
        #expect(out.count == 1)
        #expect(out[0].kind == .expired)
        #expect(out[0].recipient == "q@example.com")
        #expect(out[0].rawStatus == "expired")
        #expect(out[0].evidence?.diagnostic == "452 4.2.2 last: mailbox over quota")
        #expect(out[0].time == TF.t(30))
    }

    @Test func expiryEmitsForEachDeferredRecipientInOrderButNotForFinishedOnes() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("E2", at: 0),
                TF.deferred("E2", to: "b@example.com", diag: "b", at: 1),
                TF.deferred("E2", to: "a@example.com", diag: "a", at: 2),
                TF.sent("E2", to: "ok@example.com", at: 3),
                TF.deferred("E2", to: "later-ok@example.com", diag: "x", at: 3),
                TF.sent("E2", to: "later-ok@example.com", at: 4),
                TF.expired("E2", at: 50),
            ])
        #expect(out.map(\.recipient) == ["b@example.com", "a@example.com"])
        #expect(out.map { $0.evidence?.diagnostic } == ["b", "a"])
    }

    @Test func expiredMustComeBeforeRemoved() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("E3", at: 0),
                TF.deferred("E3", diag: "x", at: 1),
                TF.removed("E3", at: 2),
                TF.expired("E3", at: 3),
            ])
        #expect(out.isEmpty)
        #expect(tr.counters.expiredWithoutRecipients == 1)
    }

    @Test func suspendedRecipientBorrowsTheRealAttemptOfTheSameDomain() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("H1", at: 0),
                TF.deferred(
                    "H1", to: "one@example.com", diag: "connect to mx.example.com[192.0.2.10]:25: Connection timed out",
                    code: nil, at: 10),
                TF.queued("H2", at: 11),
                TF.suspended("H2", to: "two@example.com", at: 12),
                TF.suspended("H2", to: "two@example.com", at: 4000),
                TF.expired("H2", at: 5000),
            ])
        #expect(out.count == 1)
        #expect(out[0].queueID == "H2")
        #expect(out[0].recipient == "two@example.com")
        #expect(out[0].evidence?.queueID == "H1", "evidence is the other message's real attempt")
        #expect(out[0].evidence?.isAttempt == true)
        #expect(out[0].evidence?.diagnostic.contains("Connection timed out") == true)
    }

    @Test func suspendedRecipientPrefersTheMessagesOwnAttemptOnThatDomain() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("H3", at: 0),
                TF.deferred("H3", to: "one@example.com", diag: "own message attempt", code: nil, at: 10),
                TF.deferred("OTHER", to: "z@example.com", diag: "other message attempt", code: nil, at: 11),
                TF.suspended("H3", to: "two@example.com", at: 12),
                TF.expired("H3", at: 5000),
            ])
        #expect(out.map(\.recipient) == ["one@example.com", "two@example.com"])
        #expect(out[1].evidence?.diagnostic == "own message attempt")
    }

    @Test func suspendedWithNoAttemptAnywhereFallsBackToTheSuspendedLine() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr, [TF.queued("H4", at: 0), TF.suspended("H4", to: "x@example.com", at: 1), TF.expired("H4", at: 2)])
        #expect(out.count == 1)
        #expect(out[0].evidence?.isAttempt == false)
        #expect(out[0].evidence?.diagnostic.hasPrefix("delivery temporarily suspended") == true)
    }

    @Test func staleAttemptOfAnotherMessageIsNotBorrowed() {
        var tr = TF.tracker { $0.recentAttemptWindow = TrackerOptions.hour }
        let out = TF.run(
            &tr,
            [
                TF.deferred("OLD", to: "a@example.com", diag: "ancient", code: nil, at: 0),
                TF.queued("H5", at: 7200),
                TF.suspended("H5", to: "b@example.com", at: 7200),
                TF.expired("H5", at: 7300),
            ])
        #expect(out.count == 1)
        #expect(out[0].evidence?.diagnostic.hasPrefix("delivery temporarily suspended") == true)
    }

    @Test func eximRetryTimeoutTakesEvidenceFromTheRecipientsRealAttempt() {
        var tr = TF.tracker()
        let id = "1tXyZa-000Abc-1D"
        let out = TF.run(
            &tr,
            [
                TF.queued(id, mta: .exim, messageID: "m@x", at: 0),
                TF.delivery(
                    TF.attempt(
                        id, to: "u@example.com", .deferred, raw: "==", mta: .exim, agent: "remote_smtp",
                        relay: "mx.example.com [192.0.2.10]", remoteHost: "mx.example.com", code: 421,
                        diag:
                            "SMTP error from remote mail server after RCPT TO:<u@example.com>: 421 4.7.0 Try again later",
                        stage: .rcpt), at: 10),
                TF.delivery(
                    TF.attempt(
                        id, to: "u@example.com", .deferred, raw: "==", mta: .exim,
                        diag: "retry time not reached for any host for 'example.com'", isAttempt: false), at: 20),
                TF.delivery(
                    TF.attempt(
                        id, to: "u@example.com", .bounced, raw: "**", mta: .exim, diag: "retry timeout exceeded",
                        retryTimeout: true), at: 30),
                TF.removed(id, mta: .exim, at: 31),
            ])
        #expect(out.count == 1)
        #expect(out[0].kind == .expired)
        #expect(out[0].rawStatus == "**")
        #expect(out[0].mta == .exim)
        #expect(out[0].messageID == "m@x")
        #expect(out[0].evidence?.replyCode == 421)
    }

    @Test func eximAllHostsFailingTakesEvidenceFromAnotherMessagesAttemptOnTheHost() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.queued("1aaaaa-000001-AA", mta: .exim, at: 0),
                TF.delivery(
                    TF.attempt(
                        "1aaaaa-000001-AA", to: "a@example.com", .deferred, raw: "==", mta: .exim,
                        remoteHost: "mx.example.com", diag: "Connection refused"), at: 5),
                TF.queued("1bbbbb-000002-BB", mta: .exim, at: 6),
                TF.delivery(
                    TF.attempt(
                        "1bbbbb-000002-BB", to: "b@example.com", .bounced, raw: "**", mta: .exim,
                        diag:
                            "all hosts for 'example.com' have been failing for a long time (and retry time not reached)",
                        retryTimeout: true), at: 7),
            ])
        #expect(out.count == 1)
        #expect(out[0].queueID == "1bbbbb-000002-BB")
        #expect(out[0].kind == .expired)
        #expect(out[0].evidence?.diagnostic == "Connection refused")
    }

    @Test func eximRetryTimeoutWithNoAttemptUsesItsOwnLine() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.delivery(
                    TF.attempt(
                        "1ccccc-000003-CC", to: "c@nowhere.example", .bounced, raw: "**", mta: .exim,
                        diag: "retry timeout exceeded", retryTimeout: true), at: 7)
            ])
        #expect(out.count == 1)
        #expect(out[0].evidence?.diagnostic == "retry timeout exceeded")
    }

    @Test func bounceNotificationsAreNeverSubscriberBounces() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                // A notification with its own from=<> line.
                TF.queued("N1", from: "", at: 0),
                TF.bounced550("N1", to: "bounces@lists.example.org", at: 1),
                // One known only from Postfix's bounce line (no qmgr line seen).
                TF.line(
                    .bounceNotification(
                        mta: .postfix, queueID: "X1", notificationQueueID: "N2",
                        kind: "sender non-delivery notification"), at: 2),
                TF.bounced550("N2", to: "bounces@lists.example.org", at: 3),
                // Exim `<= <>`.
                TF.queued("1ddddd-000004-DD", from: "", mta: .exim, at: 4),
                TF.delivery(
                    TF.attempt(
                        "1ddddd-000004-DD", to: "x@example.com", .bounced, raw: "**", mta: .exim,
                        diag: "Unrouteable address"), at: 5),
            ])
        #expect(out.isEmpty)
        #expect(tr.counters.bounceNotifications == 3)
    }

    @Test func queueIDReusedAfterRemovedIsANewMessage() {
        var tr = TF.tracker()
        let first = TF.run(
            &tr,
            [
                TF.messageID("R1", "first@x", at: 0), TF.queued("R1", at: 0), TF.bounced550("R1", at: 1),
                TF.removed("R1", at: 2),
            ])
        let second = TF.run(
            &tr,
            [
                TF.messageID("R1", "second@x", at: 100), TF.queued("R1", at: 100), TF.bounced550("R1", at: 101),
                TF.removed("R1", at: 102),
            ])
        #expect(first.count == 1 && second.count == 1, "the same recipient bounces again in the new message")
        #expect(second[0].messageID == "second@x")
        #expect(second[0].firstSeen == TF.t(100))
        #expect(first[0].dedupKey != second[0].dedupKey)
    }

    @Test func queueIDReusedWithoutMessageIDsStillGetsDistinctKeys() {
        var tr = TF.tracker()
        let a = TF.run(&tr, [TF.queued("R2", at: 0), TF.bounced550("R2", at: 1), TF.removed("R2", at: 2)])
        let b = TF.run(&tr, [TF.queued("R2", at: 50), TF.bounced550("R2", at: 51), TF.removed("R2", at: 52)])
        #expect(a.count == 1 && b.count == 1)
        #expect(a[0].dedupKey != b[0].dedupKey)
    }

    @Test func queueIDReuseWithMissedRemovedIsDetectedByANewMessageID() {
        var tr = TF.tracker()
        let a = TF.run(&tr, [TF.messageID("R3", "one@x", at: 0), TF.bounced550("R3", at: 1)])
        // The `removed` line was lost; cleanup logs a new Message-ID for the reused id.
        let b = TF.run(&tr, [TF.messageID("R3", "two@x", at: 60), TF.bounced550("R3", at: 61)])
        #expect(a.count == 1 && b.count == 1)
        #expect(b[0].firstSeen == TF.t(60))
        #expect(tr.counters.queueIDReused == 1)
    }

    @Test func eximHeaderLineBeforeArrivalIsKept() {
        var tr = TF.tracker()
        let id = "1eeeee-000005-EE"
        let logwrite = TF.line(
            .header(mta: .exim, queueID: id, name: "X-Listmonk-Campaign", value: TF.campaign), at: 0,
            extra: [.header(mta: .exim, queueID: id, name: "x-listmonk-subscriber", value: TF.subscriber)])
        let out = TF.run(
            &tr,
            [
                logwrite,
                TF.queued(id, mta: .exim, messageID: "mid@lists", at: 0),
                TF.delivery(
                    TF.attempt(
                        id, to: "gone@example.com", .bounced, raw: "**", mta: .exim, remoteHost: "mx.example.com",
                        code: 550,
                        diag:
                            "SMTP error from remote mail server after RCPT TO:<gone@example.com>: 550 5.1.1 User unknown",
                        stage: .rcpt), at: 1),
                TF.removed(id, mta: .exim, at: 2),
            ])
        #expect(out.count == 1)
        #expect(out[0].campaignUUID == TF.campaign)
        #expect(out[0].subscriberUUID == TF.subscriber)
        #expect(out[0].sender == TF.list)
        #expect(out[0].messageID == "mid@lists")
    }

    @Test func listmonkHeaderNamesAndValues() {
        #expect(ListmonkHeader(name: "X-LISTMONK-CAMPAIGN") == .campaign)
        #expect(ListmonkHeader(name: " x-listmonk-subscriber ") == .subscriber)
        #expect(ListmonkHeader(name: "X-Listmonk-Campaigns") == nil)
        #expect(ListmonkHeader(name: "Subject") == nil)
        #expect(ListmonkHeader.firstToken("  <\(TF.campaign)> from localhost[127.0.0.1]; from=<a@b>") == TF.campaign)
        #expect(ListmonkHeader.firstToken("\(TF.campaign);") == TF.campaign)
        #expect(ListmonkHeader.firstToken("") == "")
        #expect(RecipientState.domain(of: "A@Sub.Example.COM") == "sub.example.com")
        #expect(RecipientState.domain(of: "local") == "")
    }

    @Test func atMostOneOutcomePerRecipientEvenIfTheLogRepeatsAFailure() {
        var tr = TF.tracker()
        let out = TF.run(&tr, [TF.queued("A1", at: 0), TF.bounced550("A1", at: 1), TF.bounced550("A1", at: 2)])
        #expect(out.count == 1)
        #expect(tr.counters.suppressedRepeats == 1)
    }

    @Test func recipientsAreMatchedCaseInsensitivelyAndOrigToIsKept() {
        var tr = TF.tracker()
        let out = TF.run(
            &tr,
            [
                TF.delivery(TF.attempt("C1", to: "User@Example.com", .deferred, orig: "Alias@Example.com"), at: 0),
                TF.delivery(TF.attempt("C1", to: "user@example.com", .bounced, diag: "550"), at: 1),
            ])
        #expect(out.count == 1)
        #expect(out[0].originalRecipient == "Alias@Example.com")
        #expect(out[0].email == "alias@example.com")
    }

    @Test func lineWithoutTimeTakesTheLatestTimeSeen() {
        var tr = TF.tracker()
        let out = TF.run(&tr, [TF.queued("T1", at: 40), TF.bounced550("T1", at: nil)])
        #expect(out.first?.time == TF.t(40))
    }

    @Test func configuredHostNotSyslogHostIsTheIdentity() {
        var a = TF.tracker()
        var b = TF.tracker()
        let viaFile = [
            TF.line(.queued(QueuedMessage(mta: .postfix, queueID: "I1", sender: TF.list)), at: 0, syslogHost: "mx1"),
            TF.bounced550("I1", at: 1),
        ]
        let viaJournal = viaFile.map { l -> ParsedLine in
            var l = l
            l.envelope.host = nil
            return l
        }
        let ka = TF.run(&a, viaFile).map(\.dedupKey)
        let kb = TF.run(&b, viaJournal).map(\.dedupKey)
        #expect(ka.count == 1)
        #expect(ka == kb)
        #expect(ka[0].hasPrefix("v2|\(TF.host)|postfix|I1|"))
    }
}
