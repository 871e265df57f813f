import BounceClassifier
import BounceCore
import BounceMail
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// `ingest-mail` after `backfill` read the Postfix sample log (real Postfix lines): the MTA's own DSN joins the
/// log's bounce, a DSN about a delivered message is a new bounce with the logged UUIDs, a forged one is held.
@Suite struct MailJoinIngestTests {
    /// In the sample: queue id 33035F78AAC bounced user-unknown+pf02 (subscriber 560b8782-…); 1F83FF78AB0 was
    /// delivered to ok+pf00 (Message-ID a4c5dd6f-…, subscriber ff9e071a-…).
    static let bouncedSubscriber = "560b8782-fd2d-58dd-8270-1b4b251ce800"
    static let deliveredMessageID = "a4c5dd6f-6caf-4d69-a44c-f09d81b05bd7@listmonk.lab.test"
    static let deliveredSubscriber = "ff9e071a-1e09-5979-854c-50129cf79301"

    static func setUp(logSources: Bool, unmatched: UnmatchedPolicy = .hold, backfill: Bool = true) throws -> (
        MailIngest, StateDB
    ) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-mailjoin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let state = dir.appendingPathComponent("state.db").path
        var config = SampleBackfillTests.config(state: state)
        config.sink.kind = .webhook
        config.mail.reviewDir = dir.appendingPathComponent("review").path
        config.mail.unmatched = unmatched
        if logSources { config.sources.files = [FileSourceConfig(paths: ["/var/log/mail.log"])] }
        let db = try StateDB(path: state)
        if backfill {
            let runner = BackfillRunner(
                pipeline: PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config)), db: db,
                sink: .outbox, timeZone: .utc, maxLineLength: 1 << 20)
            // The sample's remote listened on loopback, which the tracker takes for a content filter (no delivery
            // counted); here it is a remote on the internet, as in production.
            let sample = try String(
                contentsOf: SampleBackfillTests.repo.appendingPathComponent("samples/postfix-mail.log"), encoding: .utf8
            )
            let log = dir.appendingPathComponent("mail.log").path
            try sample.replacing("relay=127.0.0.1[127.0.0.1]:2525", with: "relay=mx.example.net[192.0.2.10]:25")
                .write(toFile: log, atomically: true, encoding: .utf8)
            #expect(try runner.run(inputs: [log], emit: { _ in }).newEvents > 0)
        }
        let classifier = Classifier(set: try PipelineFactory.loadPatterns(config))
        return (MailIngest(config: config, classifier: classifier), db)
    }

    /// An RFC 3464 DSN for `rcpt`; `queueID` and `messageID` when given.
    static func dsn(rcpt: String, queueID: String?, messageID: String?, reportingMTA: String, id: String) -> [UInt8] {
        let qid = queueID.map { "X-Postfix-Queue-ID: \($0)\n" } ?? ""
        let mid = messageID.map { "Message-ID: <\($0)>\n" } ?? ""
        return Array(
            """
            From: MAILER-DAEMON@\(reportingMTA)
            To: bounces@lab.test
            Subject: Undelivered Mail Returned to Sender
            Message-Id: <\(id)@\(reportingMTA)>
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain

            <\(rcpt)>: 550 5.1.1 user unknown

            --b1
            Content-Type: message/delivery-status

            Reporting-MTA: dns; \(reportingMTA)
            \(qid)
            Final-Recipient: rfc822; \(rcpt)
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 user unknown

            --b1
            Content-Type: text/rfc822-headers

            \(mid)Subject: news

            --b1--

            """.utf8)
    }

    func rows(_ db: StateDB, _ email: String) throws -> [OutboxRow] {
        try db.list(OutboxQuery(states: [])).filter { $0.email == email }
    }

    @Test func theMTAsOwnDSNJoinsTheLogsBounceByQueueID() throws {
        let (ingest, db) = try Self.setUp(logSources: true)
        let rcpt = "user-unknown+pf02@example.net"
        #expect(try rows(db, rcpt).count == 1)
        let mail = Self.dsn(rcpt: rcpt, queueID: "33035F78AAC", messageID: nil, reportingMTA: "mail.lab.test", id: "d1")
        let o = try ingest.ingest(mail, db: db)
        #expect(o.joined == 1 && o.inserted == 0 && o.heldUnmatched == 0)
        let stored = try rows(db, rcpt)
        #expect(stored.count == 1 && stored[0].dedupKey.hasPrefix("v2|"))
        #expect(stored[0].body.contains(Self.bouncedSubscriber))
        // The same mail again (a pipe retried after exit 75): nothing more.
        let again = try ingest.ingest(mail, db: db)
        #expect(again.duplicates == 1 && again.joined == 0)
        #expect(try rows(db, rcpt).count == 1)
        #expect(try db.counters(prefix: "mail.")["mail.mails"] == 1)
    }

    @Test func aDSNAboutADeliveredMessageIsANewBounceWithTheLoggedUUIDs() throws {
        let (ingest, db) = try Self.setUp(logSources: true)
        let rcpt = "ok+pf00@example.net"
        #expect(try rows(db, rcpt).isEmpty)
        let o = try ingest.ingest(
            Self.dsn(
                rcpt: rcpt, queueID: "REMOTE9", messageID: Self.deliveredMessageID, reportingMTA: "mx.example.net",
                id: "d2"), db: db)
        #expect(o.inserted == 1 && o.joined == 0 && o.heldUnmatched == 0)
        let stored = try rows(db, rcpt)
        #expect(stored.count == 1 && stored[0].state == .pending)
        #expect(stored[0].body.contains(Self.deliveredSubscriber))
    }

    @Test func aDSNNamingAMessageNeverSentIsHeldEvenWhenTheConfigSaysForward() throws {
        let (ingest, db) = try Self.setUp(logSources: true, unmatched: .forward)
        let o = try ingest.ingest(
            Self.dsn(
                rcpt: "victim@example.org", queueID: "ABC", messageID: "forged@evil.example",
                reportingMTA: "mx.evil.example", id: "d3"), db: db)
        #expect(o.inserted == 1 && o.heldUnmatched == 1)
        let row = try #require(try rows(db, "victim@example.org").first)
        #expect(row.state == .held && row.holdReason == "unmatched")
        #expect(try db.counters(prefix: "mail.")["mail.held_unmatched"] == 1)
    }

    @Test func withoutLogSourcesTheConfigChooses() throws {
        let mail = Self.dsn(
            rcpt: "someone@example.org", queueID: nil, messageID: "x@lists.example", reportingMTA: "mx.example.org",
            id: "d4")
        let (holding, db1) = try Self.setUp(logSources: false, unmatched: .hold, backfill: false)
        #expect(try holding.ingest(mail, db: db1).heldUnmatched == 1)
        let (forwarding, db2) = try Self.setUp(logSources: false, unmatched: .forward, backfill: false)
        let o = try forwarding.ingest(mail, db: db2)
        #expect(o.inserted == 1 && o.heldUnmatched == 0)
        #expect(try rows(db2, "someone@example.org").first?.state == .pending)
    }

    @Test func configKeyAndCheckConfig() throws {
        let c = try ConfigLoader.parse("[mail]\nunmatched = \"forward\"\n")
        #expect(c.mail.unmatched == .forward)
        #expect(throws: (any Error).self) { try ConfigLoader.parse("[mail]\nunmatched = \"drop\"\n") }
        var withLogs = c
        withLogs.sources.files = [FileSourceConfig(paths: ["/var/log/mail.log"])]
        #expect(ConfigCheck.mail(withLogs).contains { $0.severity == .warning && $0.key == "mail.unmatched" })
        withLogs.mail.unmatched = .hold
        #expect(ConfigCheck.mail(withLogs).isEmpty)
        #expect(ConfigCheck.mail(try ConfigLoader.parse("")).isEmpty)
        #expect(ConfigCheck.mail(c).contains { $0.severity == .note && $0.message.contains("unchecked") })
    }

    @Test func mailCountersAreExportedByWhatTheyGrew() throws {
        let (metrics, registry) = MetricsBootstrap.isolated()
        var export = MailCounterExport()
        export.export(["mail.mails": 3, "mail.records.auto-reply": 2, "mail.held_unmatched": 1], to: metrics)
        export.export(["mail.mails": 5, "mail.records.auto-reply": 2, "mail.held_unmatched": 1], to: metrics)
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains("bouncetail_mail_messages_total 5"))
        #expect(text.contains("bouncetail_mail_records_total{kind=\"auto-reply\"} 2"))
        #expect(text.contains("bouncetail_mail_held_unmatched_total 1"))
    }
}
