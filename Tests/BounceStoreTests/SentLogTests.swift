import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// Schema version 6's sent index (`sent_log`): one row per delivery whose claim was new, found by hashes whose
/// text is checked; the rows written before it (`sent_index`) are still found.
@Suite struct SentLogTests {
    static let oldCampaign = "9f1c2d3e-0000-4000-8000-00000000000a"
    static let newCampaign = "9f1c2d3e-0000-4000-8000-00000000000b"

    static func delivered(
        qid: String = "5DEF", mid: String? = "orig@lists.example.net", at seconds: Int64 = 0,
        campaign: String? = MailJoinTests.campaign
    ) -> OutcomeTally {
        var t = MailJoinTests.delivered(qid: qid, mid: mid)
        t.time = LogTime(microseconds: t.time.microseconds + seconds * 1_000_000)
        t.campaignUUID = campaign
        return t
    }

    /// A report mail naming `mid` (and recipient gone@example.org) and/or a queue id on host mx1.
    static func report(_ n: Int, mid: String?, qid: String?) -> Batch {
        let e = MailJoinTests.mailEvent(mailID: "mid:r\(n)", subscriber: nil, campaign: nil, mid: mid)
        return Batch(
            events: [e],
            mailJoins: [
                e.dedupKey: MailJoin(
                    host: qid == nil ? "remote" : "mx1", queueID: qid ?? "R\(n)", messageID: mid, holdUnmatched: true)
            ])
    }

    /// The campaign report `n`'s event took from the sent index: "new", "old" or nil.
    func campaignOf(_ db: StateDB, _ n: Int) throws -> String? {
        try db.list(OutboxQuery(states: [])).first { $0.dedupKey.contains("mid:r\(n)|") }.flatMap { row in
            row.body.contains(Self.newCampaign) ? "new" : row.body.contains(Self.oldCampaign) ? "old" : nil
        }
    }

    @Test func aDeliveryReadAgainIsRecordedOnce() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(tallies: [Self.delivered(), Self.delivered()]))
        try db.commit(Batch(tallies: [Self.delivered()]))
        try db.commit(group: [Batch(tallies: [Self.delivered()]), Batch(tallies: [Self.delivered(qid: "OTHER")])])
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 2)
    }

    @Test func aReusedQueueIDFindsTheLatestDeliveryAndEachMessageByItsID() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        // Postfix reused the queue id for a second message to the same recipient; the later one read first.
        try db.commit(Batch(tallies: [Self.delivered(mid: "new@l", at: 3_600, campaign: Self.newCampaign)]))
        try db.commit(Batch(tallies: [Self.delivered(mid: "old@l", at: 0, campaign: Self.oldCampaign)]))
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 2)
        // By queue id: the latest delivery by log time, whichever was read last.
        #expect(try db.commit(Self.report(1, mid: nil, qid: "5DEF")).heldUnmatched == 0)
        #expect(try campaignOf(db, 1) == "new")
        // By Message-ID: each message we sent is ours, with its own campaign.
        #expect(try db.commit(Self.report(2, mid: "old@l", qid: nil)).heldUnmatched == 0)
        #expect(try campaignOf(db, 2) == "old")
        #expect(try db.commit(Self.report(3, mid: "new@l", qid: nil)).heldUnmatched == 0)
        #expect(try campaignOf(db, 3) == "new")
        // The text is checked, not only its hash: another recipient, Message-ID or queue id is not ours.
        #expect(try db.commit(Self.report(4, mid: "other@l", qid: nil)).heldUnmatched == 1)
        #expect(try db.commit(Self.report(5, mid: nil, qid: "5DEG")).heldUnmatched == 1)
    }

    @Test func aDeliveryOfAPrunedDayIsRecordedOnceButNotCounted() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let day = StateDB.day(ofMicros: Self.delivered().time.microseconds)
        try db.setValue(String(day + 1), forKey: StateDB.countsPrunedBeforeKey)
        #expect(try db.commit(Batch(tallies: [Self.delivered(), Self.delivered()])).counted == 0)
        #expect(try db.commit(Batch(tallies: [Self.delivered()])).counted == 0)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 1)
        #expect(try db.outcomeCounts().isEmpty)
        #expect(try db.commit(Self.report(1, mid: "orig@lists.example.net", qid: nil)).heldUnmatched == 0)
    }

    @Test func rowsOfTheSentIndexBeforeVersion6AreStillFound() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try SQLiteConnection(path: dir.file()).run(
            """
            INSERT INTO sent_index (host, queue_id, recipient, message_id, subscriber_uuid, campaign_uuid, at)
            VALUES ('mx1', '5DEF', 'gone@example.org', 'orig@lists.example.net', ?, ?, ?)
            """, [.text(MailJoinTests.subscriber), .text(Self.oldCampaign), .int(Self.delivered().time.microseconds)])
        #expect(try db.commit(Self.report(1, mid: "orig@lists.example.net", qid: nil)).heldUnmatched == 0)
        #expect(try campaignOf(db, 1) == "old")
        #expect(try db.commit(Self.report(2, mid: nil, qid: "5DEF")).heldUnmatched == 0)
        #expect(try db.commit(Self.report(3, mid: "never@l", qid: nil)).heldUnmatched == 1)
        // Read again after the upgrade, a delivery claimed before version 5 (in outcome_keys) is neither counted
        // nor recorded again when the old index has it, and recorded once when it has not (written before the
        // sent index existed).
        let v3 = Self.delivered(qid: "V3")
        for t in [Self.delivered(), v3] {
            try SQLiteConnection(path: dir.file()).run(
                "INSERT INTO outcome_keys (id, day) VALUES (?, ?)",
                [
                    .int(Int64(bitPattern: OutcomeIdentityHash.of(t))),
                    .int(Int64(StateDB.day(ofMicros: t.time.microseconds))),
                ])
        }
        #expect(try db.commit(Batch(tallies: [Self.delivered(), v3])).counted == 0)
        #expect(try db.commit(Batch(tallies: [Self.delivered(), v3])).counted == 0)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log") == 1)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM sent_log WHERE queue_id = 'V3'") == 1)
        #expect(try db.outcomeCounts().filter { $0.outcome == .delivered }.isEmpty)
    }
}
