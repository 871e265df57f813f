import BounceCore
import Foundation
import Testing

@testable import BounceDaemon
@testable import BounceStore

/// Schema version 6 appends the sent index (`sent_log`) and the outcome counts (`outcome_deltas`) in log order. A
/// state database of version 5, written by main at d999053 (`Tests/Fixtures/schema-v5-d999053`,
/// `scripts/make-v5-fixture.sh`), keeps every row; the mail join still finds the deliveries the old binary wrote
/// into `sent_index`; reading the same lines again counts and records nothing twice; and today's code on a fresh
/// database writes what main wrote.
@Suite struct SentLogUpgradeTests {
    static let repo = SampleBackfillTests.repo
    static let fixtureDir = repo.appendingPathComponent("Tests/Fixtures/schema-v5-d999053")
    static let fixture = fixtureDir.appendingPathComponent("state.db").path
    static let logs = [
        repo.appendingPathComponent("samples/postfix-mail.log"), repo.appendingPathComponent("samples/exim-mainlog"),
        fixtureDir.appendingPathComponent("deliveries.log"),
    ]
    static let names = ["mail.log", "mainlog", "deliveries.log"]
    static let sentColumns = "host, queue_id, recipient, message_id, subscriber_uuid, campaign_uuid, at"

    /// The logs as files named `<name><suffix>`; with `marked`, each begins with a line that is no mail log line,
    /// so that its fingerprint differs from a copy read before: every line is read again.
    static func copies(in dir: URL, suffix: String, marked: Bool) throws -> [String] {
        try zip(logs, names).map { log, name in
            var text = try String(contentsOf: log, encoding: .utf8)
            // Dated as the log's first line: a later date would age the tracker's messages before their lines.
            if marked { text = text.prefix(15) + " mail kernel: read again\n" + text }
            let path = dir.appendingPathComponent(name + suffix).path
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: ClaimsUpgradeTests.mtime], ofItemAtPath: path)
            return path
        }
    }

    static func rows(_ path: String, _ sql: String) throws -> [String] {
        var out: [String] = []
        let c = try SQLiteConnection(path: path)
        // The backfill's database may still be closing on its committing thread (its checkpoint locks briefly).
        c.setBusyTimeout(milliseconds: 5_000)
        try c.prepare(sql).query { row in
            out.append((0..<row.columnCount).map { row.isNull($0) ? "NULL" : row.text($0) }.joined(separator: "|"))
        }
        return out
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-v6-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A hard bounce read from a report mail, naming `recipient`.
    static func reportEvent(_ recipient: String, mailID: String) -> BounceEvent {
        BounceEvent(
            email: recipient, subscriberUUID: nil, campaignUUID: nil, source: "bouncetail-mail", type: .hard,
            createdAt: "2026-11-27T10:00:05Z",
            meta: .init(
                reason: "userunknown", fault: .recipient, action: .forward, status: "bounced", dsn: "5.1.1",
                replyCode: 550, smtpStage: .rcpt, remoteHost: nil, mta: .postfix, host: "mail", queueID: "",
                messageID: nil, diagnostic: "550 5.1.1 user unknown", rule: "r", evidence: "e", sender: nil),
            dedupKey: "mail1|mail|\(mailID)|\(recipient)|bounce")
    }

    @Test func theUpgradeKeepsEveryRowAndTheMailJoinFindsTheOldDeliveries() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: state)
        let tables = [
            "sent_index", "outcome_counts", "outcome_claims", "tracker_state", "source_positions", "outbox", "bounces",
            "dedup_keys", "bounce_joins",
        ]
        var before: [String: [String]] = [:]
        for t in tables { before[t] = try ClaimsUpgradeTests.dump(state, t) }
        let sent = try Self.rows(state, "SELECT \(Self.sentColumns) FROM sent_index ORDER BY 1, 2, 3")
        #expect(sent.count == 21)

        let db = try StateDB(path: state)
        #expect(try db.schemaVersion == Schema.latestVersion)
        for t in tables { #expect(try ClaimsUpgradeTests.dump(state, t) == before[t], "\(t) changed by the upgrade") }
        #expect(try Self.rows(state, "SELECT * FROM sent_log").isEmpty)
        #expect(try Self.rows(state, "SELECT * FROM outcome_deltas").isEmpty)
        // The fixture holds messages in flight, a position per log and outbox rows; every message in flight comes
        // back into the tracker.
        #expect(before["source_positions"]?.count == 3)
        #expect((before["outbox"]?.count ?? 0) > 0)
        let restored = try ClaimsUpgradeTests.restoreMessages(db, state: state)
        #expect(restored.rejected.isEmpty)
        #expect(restored.stored == 27)
        #expect(restored.tracked == restored.stored)

        // Every delivery the old binary recorded vouches for a report naming it: by Message-ID and recipient, and
        // by host, queue id and recipient; each report takes the logged UUIDs. A report naming another recipient
        // is held as unmatched.
        var byMessage: [BounceEvent] = []
        var joins: [String: MailJoin] = [:]
        var byQueue: [BounceEvent] = []
        var queueJoins: [String: MailJoin] = [:]
        var expected: [String: String] = [:]
        let stored = try Self.rows(
            state, "SELECT host, queue_id, recipient, message_id, subscriber_uuid FROM sent_index ORDER BY 1, 2, 3")
        for (i, row) in stored.enumerated() {
            let f = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let m = Self.reportEvent(f[2], mailID: "mid:m\(i)")
            byMessage.append(m)
            joins[m.dedupKey] = MailJoin(host: "remote", queueID: "R\(i)", messageID: f[3], holdUnmatched: true)
            let q = Self.reportEvent(f[2], mailID: "mid:q\(i)")
            byQueue.append(q)
            queueJoins[q.dedupKey] = MailJoin(host: f[0], queueID: f[1], messageID: nil, holdUnmatched: true)
            expected[f[2]] = f[4]
        }
        let forged = Self.reportEvent("nobody@example.org", mailID: "mid:forged")
        joins[forged.dedupKey] = MailJoin(
            host: "remote", queueID: "R", messageID: String(stored[0].split(separator: "|")[3]), holdUnmatched: true)
        let a = try db.commit(Batch(events: byMessage + [forged], sink: .localStore, mailJoins: joins))
        #expect(a.inserted == stored.count + 1 && a.heldUnmatched == 1)
        let b = try db.commit(Batch(events: byQueue, sink: .localStore, mailJoins: queueJoins))
        #expect(b.inserted == stored.count && b.heldUnmatched == 0)
        var withUUID = 0
        try SQLiteConnection(path: state).prepare(
            "SELECT email, subscriber_uuid FROM bounces WHERE dedup_key LIKE 'mail1|%'"
        ).query { row in
            #expect(row.text(1) == expected[row.text(0)], "\(row.text(0)) did not take the logged subscriber")
            withUUID += 1
        }
        #expect(withUUID == 2 * stored.count)
    }

    @Test func readingTheSameLinesAgainAfterTheUpgradeAddsNothing() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: state)
        let mainCounts = try ClaimsUpgradeTests.counts(state)
        let claims = try Self.rows(state, "SELECT at, id FROM outcome_claims ORDER BY 1, 2")
        let sent = try Self.rows(state, "SELECT \(Self.sentColumns) FROM sent_index ORDER BY 1, 2, 3")
        #expect(!mainCounts.isEmpty && !claims.isEmpty && !sent.isEmpty)

        let again = try ClaimsUpgradeTests.backfill(try Self.copies(in: dir, suffix: ".2", marked: true), state: state)
        #expect(again.lines > 0 && again.newEvents == 0)
        #expect(try ClaimsUpgradeTests.counts(state) == mainCounts)
        #expect(try Self.rows(state, "SELECT at, id FROM outcome_claims ORDER BY 1, 2") == claims)
        #expect(try Self.rows(state, "SELECT * FROM sent_log").isEmpty, "a delivery recorded before was recorded again")
        #expect(try Self.rows(state, "SELECT \(Self.sentColumns) FROM sent_index ORDER BY 1, 2, 3") == sent)

        // Today's code on a fresh database counts what main counted and records the same deliveries, now in
        // sent_log; reading them again there adds nothing either.
        let fresh = dir.appendingPathComponent("fresh.db").path
        _ = try ClaimsUpgradeTests.backfill(try Self.copies(in: dir, suffix: ".1", marked: false), state: fresh)
        #expect(try ClaimsUpgradeTests.counts(fresh) == mainCounts)
        #expect(try Self.rows(fresh, "SELECT at, id FROM outcome_claims ORDER BY 1, 2") == claims)
        #expect(try Self.rows(fresh, "SELECT \(Self.sentColumns) FROM sent_log ORDER BY 1, 2, 3") == sent)
        let reread = try ClaimsUpgradeTests.backfill(try Self.copies(in: dir, suffix: ".3", marked: true), state: fresh)
        #expect(reread.lines > 0 && reread.newEvents == 0)
        #expect(try ClaimsUpgradeTests.counts(fresh) == mainCounts)
        #expect(try Self.rows(fresh, "SELECT COUNT(*) FROM sent_log") == ["\(sent.count)"])

        // Retention takes the old sent rows and the new ones.
        let far = RetentionPolicy(countsAge: -10_000 * 86_400, sentIndexAge: -10_000 * 86_400)
        #expect(try StateDB(path: state).prune(far).sentIndexRows >= sent.count)
        #expect(try Self.rows(state, "SELECT COUNT(*) FROM sent_index") == ["0"])
        #expect(try StateDB(path: fresh).prune(far).sentIndexRows >= sent.count)
        #expect(try Self.rows(fresh, "SELECT COUNT(*) FROM sent_log") == ["0"])
        #expect(try Self.rows(fresh, "SELECT COUNT(*) FROM outcome_deltas") == ["0"])
    }
}
