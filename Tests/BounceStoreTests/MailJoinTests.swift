import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// One bounce, one event whichever reader (the log, a report mail) comes first; the sent index and the
/// forged-mail hold (docs/design/2026-12-03-mail-join.md). Against a real state database file.
@Suite("Joining log bounces and report mails")
struct MailJoinTests {
    static let subscriber = "6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01"
    static let campaign = "9f1c2d3e-0000-4000-8000-000000000001"

    /// A log bounce of `rcpt` (queue id `qid` on host mx1), as the tracker makes it: no UUIDs unless given.
    static func logEvent(
        qid: String = "4ABCD12", rcpt: String = "gone@example.org", mid: String? = "orig@lists.example.net",
        subscriber: String? = nil, campaign: String? = nil
    ) -> BounceEvent {
        BounceEvent(
            email: rcpt, subscriberUUID: subscriber, campaignUUID: campaign, source: "bouncetail", type: .hard,
            createdAt: "2026-12-03T10:00:00Z",
            meta: .init(
                reason: "userunknown", fault: .recipient, action: .forward, status: "bounced", dsn: "5.1.1",
                replyCode: 550, smtpStage: .rcpt, remoteHost: "mx.example.org", mta: .postfix, host: "mx1",
                queueID: qid, messageID: mid, diagnostic: "550 5.1.1 user unknown", rule: "r", evidence: "e",
                sender: "bounces@lists.example.net"),
            dedupKey: "v2|mx1|postfix|\(qid)|a:1796292000|\(rcpt)|bounced")
    }

    /// A bounce (or complaint) read from report mail `mailID`.
    static func mailEvent(
        rcpt: String = "gone@example.org", mailID: String = "mid:dsn-1@mx1", type: BounceType = .hard,
        subscriber: String? = MailJoinTests.subscriber, campaign: String? = MailJoinTests.campaign,
        mid: String? = "orig@lists.example.net"
    ) -> BounceEvent {
        BounceEvent(
            email: rcpt, subscriberUUID: subscriber, campaignUUID: campaign, source: "bouncetail-mail", type: type,
            createdAt: "2026-12-03T10:00:05Z",
            meta: .init(
                reason: type == .complaint ? "feedback" : "userunknown", fault: .recipient, action: .forward,
                status: type == .complaint ? "complaint" : "bounced", dsn: "5.1.1", replyCode: 550, smtpStage: .rcpt,
                remoteHost: nil, mta: .postfix, host: "mx1", queueID: "4ABCD12", messageID: mid,
                diagnostic: "550 5.1.1 user unknown", rule: "r", evidence: "e", sender: nil),
            dedupKey: "mail1|mx1|\(mailID)|\(rcpt)|\(type == .complaint ? "complaint" : "bounce")")
    }

    static func mailBatch(
        _ events: [BounceEvent], qid: String? = "4ABCD12", mid: String? = "orig@lists.example.net", hold: Bool = true,
        sink: Batch.Sink = .outbox
    ) -> Batch {
        var joins: [String: MailJoin] = [:]
        for e in events { joins[e.dedupKey] = MailJoin(host: "mx1", queueID: qid, messageID: mid, holdUnmatched: hold) }
        return Batch(events: events, sink: sink, mailJoins: joins)
    }

    static func delivered(
        qid: String = "5DEF", rcpt: String = "gone@example.org", mid: String? = "orig@lists.example.net"
    ) -> OutcomeTally {
        OutcomeTally(
            kind: .delivered, host: "mx1", mta: .postfix, queueID: qid, recipient: rcpt, campaignUUID: campaign,
            time: LogTime(microseconds: 1_796_292_000_000_000), messageID: mid, subscriberUUID: subscriber)
    }

    func allRows(_ db: StateDB) throws -> [OutboxRow] { try db.list(OutboxQuery(states: [])) }

    // MARK: The two orders

    @Test func logFirstThenItsDSNMakesNoSecondEventAndAddsTheUUIDs() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        #expect(try db.commit(Batch(events: [Self.logEvent()])).inserted == 1)
        let r = try db.commit(Self.mailBatch([Self.mailEvent()]))
        #expect(r.inserted == 0 && r.joined == 1 && r.duplicates == 0)
        #expect(r.enriched == 1)
        let rows = try allRows(db)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.dedupKey.hasPrefix("v2|"))
        #expect(row.state == .pending)
        #expect(row.body.contains(Self.subscriber) && row.body.contains(Self.campaign))
        #expect(try db.counters(prefix: "mail.")["mail.joined"] == 1)
        // Counted once in the outcome counts: the log's event.
        #expect(try outcomeTotal(dir.file(), "hard") == 1)
    }

    @Test func logFirstAlreadyDeliveredThenDSNIsTooLateNotASecondEvent() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [Self.logEvent()]))
        let id = try #require(try allRows(db).first?.id)
        try db.markSent(id, status: 200)
        let r = try db.commit(Self.mailBatch([Self.mailEvent()]))
        #expect(r.joined == 1 && r.inserted == 0)
        #expect(r.enrichTooLate == 1)
        #expect(r.enrichmentNotices.first?.detail.contains("after the bounce was delivered") == true)
        let rows = try allRows(db)
        #expect(rows.count == 1 && rows[0].state == .sent && !rows[0].body.contains(Self.subscriber))
    }

    @Test func mailFirstThenTheLogLineMakesNoSecondEventAndReleasesTheUnmatchedHold() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        // The DSN arrives before its log line was read: nothing shows the message yet, so it is held.
        let first = try db.commit(Self.mailBatch([Self.mailEvent()]))
        #expect(first.inserted == 1 && first.held == 1 && first.heldUnmatched == 1)
        var row = try #require(try allRows(db).first)
        #expect(row.state == .held && row.holdReason == MailJoin.unmatchedHoldCode)
        #expect(row.body.contains("unmatched: the report names Message-ID <orig@lists.example.net>"))
        // The log line: joined, and the hold is lifted (the log is the proof).
        let second = try db.commit(Batch(events: [Self.logEvent()]))
        #expect(second.inserted == 0 && second.joined == 1 && second.unmatchedReleased == 1)
        let rows = try allRows(db)
        #expect(rows.count == 1)
        row = rows[0]
        #expect(row.dedupKey.hasPrefix("mail1|"))
        #expect(row.state == .pending && row.holdReason == nil && row.action == "forward")
        #expect(row.body.contains("\"action\":\"forward\"") && !row.body.contains("unmatched"))
        #expect(row.body.contains(Self.subscriber))
        let counts = try db.counters(prefix: "mail.")
        #expect(counts["mail.held_unmatched"] == 1 && counts["mail.joined"] == 1)
        #expect(counts["mail.unmatched_released"] == 1)
        // Re-reading the log line (a backfill over the same range) adds nothing.
        let again = try db.commit(Batch(events: [Self.logEvent()]))
        #expect(again.duplicates == 1 && again.inserted == 0 && again.joined == 0)
        #expect(try allRows(db).count == 1)
    }

    @Test func mailFirstThenLogGivesTheLogsUUIDsToTheMailsEvent() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Self.mailBatch([Self.mailEvent(subscriber: nil, campaign: nil)], hold: false))
        let r = try db.commit(Batch(events: [Self.logEvent(subscriber: Self.subscriber, campaign: Self.campaign)]))
        #expect(r.joined == 1 && r.enriched == 1)
        let rows = try allRows(db)
        #expect(rows.count == 1 && rows[0].state == .pending && rows[0].body.contains(Self.subscriber))
    }

    @Test func joinsByQueueIDWhenTheReportLacksTheMessageID() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [Self.logEvent(mid: nil)]))
        let r = try db.commit(Self.mailBatch([Self.mailEvent(mid: nil)], mid: nil))
        #expect(r.joined == 1)
        #expect(try allRows(db).count == 1)
    }

    @Test func anotherRecipientOfTheSameMessageIsItsOwnBounce() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [Self.logEvent()]))
        let r = try db.commit(Self.mailBatch([Self.mailEvent(rcpt: "other@example.org")], hold: false))
        #expect(r.joined == 0 && r.inserted == 1)
        #expect(try allRows(db).count == 2)
    }

    // MARK: Duplicates

    @Test func theSameMailTwiceAfterAJoinStaysOneEvent() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [Self.logEvent()]))
        #expect(try db.commit(Self.mailBatch([Self.mailEvent()])).joined == 1)
        let again = try db.commit(Self.mailBatch([Self.mailEvent()]))
        #expect(again.duplicates == 1 && again.joined == 0 && again.inserted == 0)
        #expect(try allRows(db).count == 1)
        #expect(try db.counters(prefix: "mail.")["mail.joined"] == 1)
    }

    @Test func twoCopiesOfOneDSNUnderDifferentMailIDsStillMakeOneEvent() throws {
        // A Maildir copy without a Message-ID and an IMAP copy with one get different mail ids: the join
        // keys (queue id, Message-ID, recipient) still name one bounce.
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Self.mailBatch([Self.mailEvent(mailID: "fnv:1")], hold: false))
        let r = try db.commit(Self.mailBatch([Self.mailEvent(mailID: "fnv:2")], hold: false))
        #expect(r.inserted == 1, "a mail after a mail is not joined: only log and mail join")
        // Documented limit: two different report mails for one bounce are two events (see the design note).
        #expect(try allRows(db).count == 2)
    }

    // MARK: Sent index and forged mail

    @Test func dsnForAMessageTheLogShowsDeliveredIsANewBounceWithTheLoggedUUIDs() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(tallies: [Self.delivered()]))
        #expect(
            try count(dir.file(), "SELECT COUNT(*) FROM sent_log WHERE message_id = 'orig@lists.example.net'") == 1)
        // The remote accepted, then mailed a DSN naming only the Message-ID (its own queue id and host).
        let e = Self.mailEvent(subscriber: nil, campaign: nil)
        var joins = [
            e.dedupKey: MailJoin(
                host: "mx", queueID: "REMOTE1", messageID: "orig@lists.example.net", holdUnmatched: true)
        ]
        let r = try db.commit(Batch(events: [e], mailJoins: joins))
        #expect(r.inserted == 1 && r.held == 0 && r.joined == 0)
        let row = try #require(try allRows(db).first)
        #expect(row.state == .pending)
        #expect(row.body.contains(Self.subscriber) && row.body.contains(Self.campaign))
        // The same report naming another recipient than the one we sent it to is not ours.
        let other = Self.mailEvent(rcpt: "someone@example.org", mailID: "mid:dsn-2")
        joins = [
            other.dedupKey: MailJoin(host: "mx", queueID: nil, messageID: "orig@lists.example.net", holdUnmatched: true)
        ]
        #expect(try db.commit(Batch(events: [other], mailJoins: joins)).heldUnmatched == 1)
    }

    @Test func forgedHardBounceAndComplaintAreHeldWithAReasonSoftIsNot() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(tallies: [Self.delivered(mid: "real@lists.example.net")]))
        let hard = Self.mailEvent(mailID: "mid:f1", mid: "never@lists.example.net")
        let complaint = Self.mailEvent(mailID: "mid:f2", type: .complaint, mid: "never@lists.example.net")
        let soft = Self.mailEvent(
            rcpt: "soft@example.org", mailID: "mid:f3", type: .soft, mid: "never@lists.example.net")
        let r = try db.commit(Self.mailBatch([hard, complaint, soft], qid: nil, mid: "never@lists.example.net"))
        #expect(r.inserted == 3 && r.heldUnmatched == 2)
        let rows = Dictionary(uniqueKeysWithValues: try allRows(db).map { ($0.type, $0) })
        #expect(rows["hard"]?.state == .held && rows["hard"]?.holdReason == "unmatched")
        #expect(rows["complaint"]?.state == .held && rows["complaint"]?.holdReason == "unmatched")
        #expect(rows["soft"]?.state == .pending)
        #expect(rows["hard"]?.body.contains("no log shows a message we sent to gone@example.org") == true)
        // The operator may still send them.
        #expect(try db.releaseHeld(reason: "unmatched") == 2)
    }

    @Test func withoutTheHoldPolicyAnUnmatchedReportIsForwarded() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let r = try db.commit(Self.mailBatch([Self.mailEvent()], hold: false))
        #expect(r.inserted == 1 && r.held == 0 && r.heldUnmatched == 0)
        #expect(try allRows(db).first?.state == .pending)
    }

    @Test func aDeliveryReadAfterItsDSNReleasesTheHeldReport() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let e = Self.mailEvent(subscriber: nil, campaign: nil)
        let joins = [
            e.dedupKey: MailJoin(host: "mx", queueID: "R1", messageID: "orig@lists.example.net", holdUnmatched: true)
        ]
        #expect(try db.commit(Batch(events: [e], mailJoins: joins)).heldUnmatched == 1)
        let r = try db.commit(Batch(tallies: [Self.delivered()]))
        #expect(r.unmatchedReleased == 1)
        let row = try #require(try allRows(db).first)
        #expect(row.state == .pending && row.body.contains(Self.subscriber))
    }

    @Test func releasedIntoTheLocalStoreWhenTheSinkIsLocal() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Self.mailBatch([Self.mailEvent()], sink: .localStore))
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM bounces") == 0)
        let r = try db.commit(Batch(events: [Self.logEvent()], sink: .localStore))
        #expect(r.joined == 1 && r.unmatchedReleased == 1)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM bounces WHERE dedup_key LIKE 'mail1|%'") == 1)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM bounces") == 1)
        #expect(try allRows(db).first?.state == .sent)
    }

    @Test func aComplaintNeverJoinsALogBounce() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(tallies: [Self.delivered()]))
        try db.commit(Batch(events: [Self.logEvent()]))
        let r = try db.commit(Self.mailBatch([Self.mailEvent(mailID: "mid:arf", type: .complaint)]))
        #expect(r.joined == 0 && r.inserted == 1 && r.heldUnmatched == 0)
        #expect(try allRows(db).count == 2)
    }

    // MARK: Retention and migration

    @Test func retentionPrunesTheSentIndexAndJoins() throws {
        let dir = TempDir()
        let clock = TestClock(Date(timeIntervalSince1970: 1_796_292_000))
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(Batch(events: [Self.logEvent()], tallies: [Self.delivered()]))
        clock.advance(10 * 86_400)
        #expect(try db.prune(RetentionPolicy(sentIndexAge: 30 * 86_400)).sentIndexRows == 0)
        clock.advance(30 * 86_400)
        #expect(try db.prune(RetentionPolicy(sentIndexAge: 30 * 86_400)).sentIndexRows == 3)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 0)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM bounce_joins") == 0)
    }

    @Test func aDatabaseOfThePreviousSchemaMigratesAndItsStoredBouncesJoin() throws {
        // A log bounce stored by the previous schema (3): made with today's code, then version 4 taken out.
        let dir = TempDir()
        do {
            let db = try openDB(dir.file(), clock: TestClock())
            try db.commit(Batch(events: [Self.logEvent()]))
            try db.commit(Batch(events: [Self.logEvent(qid: "LOCAL1", rcpt: "local@example.org")], sink: .localStore))
        }
        do {
            let c = try SQLiteConnection(path: dir.file())
            try c.execute(
                "DROP TABLE sent_index; DROP TABLE bounce_joins; DROP TABLE outcome_claims; DROP TABLE sent_log; "
                    + "DROP TABLE outcome_deltas; DELETE FROM schema_migrations WHERE version >= 4")
        }
        let db = try openDB(dir.file(), clock: TestClock())
        #expect(try db.schemaVersion == Schema.latestVersion)
        // Both stored bounces (outbox and local store) got their join keys back: queue id and Message-ID each.
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM bounce_joins WHERE origin = 'log'") == 4)
        #expect(try db.commit(Self.mailBatch([Self.mailEvent()])).joined == 1)
        let local = Self.mailEvent(rcpt: "local@example.org")
        #expect(try db.commit(Self.mailBatch([local], qid: "LOCAL1", sink: .localStore)).joined == 1)
        #expect(try allRows(db).count == 1)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM bounces") == 1)
    }
}
