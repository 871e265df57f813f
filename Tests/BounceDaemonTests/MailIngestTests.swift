import BounceClassifier
import BounceCore
import BounceMail
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// `ingest-mail`'s work against a real state database file: events committed, the same mail twice
/// stored once, non-bounces counted, unreadable mails kept for review.
@Suite struct MailIngestTests {
    struct Setup {
        let dir: String
        let config: BounceTailConfig
        let db: StateDB
        let ingest: MailIngest
    }

    static func setUp(sink: SinkKind = .webhook) throws -> Setup {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-mail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = BounceTailConfig()
        config.general.hostName = "mta.example.net"
        config.general.stateDB = dir + "/state.db"
        config.mail.reviewDir = dir + "/review"
        config.mail.maxBytes = .kibibytes(64)
        config.sink.kind = sink
        let classifier = Classifier(set: try PatternLoader.embeddedDefault())
        return Setup(
            dir: dir, config: config, db: try StateDB(path: config.general.stateDB),
            ingest: MailIngest(config: config, classifier: classifier))
    }

    static let dsn = Array(
        """
        From: MAILER-DAEMON@mta.example.net
        To: bounces@lists.example.net
        Subject: Undelivered Mail Returned to Sender
        Message-Id: <dsn-1@mta.example.net>
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: text/plain

        <gone@example.org>: host mx.example.org[192.0.2.9] said: 550 5.1.1 user unknown
            (in reply to RCPT TO command)

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mta.example.net
        X-Postfix-Queue-ID: 4ABCD12

        Final-Recipient: rfc822; gone@example.org
        Action: failed
        Status: 5.1.1
        Diagnostic-Code: smtp; 550 5.1.1 user unknown

        Final-Recipient: rfc822; later@example.org
        Action: delayed
        Status: 4.4.1

        --b1
        Content-Type: text/rfc822-headers

        Message-ID: <orig@lists.example.net>
        X-Listmonk-Campaign: 0f6e4bbf-1b8d-4c4e-9d7c-0c3d2a7b9e11
        X-Listmonk-Subscriber: a3c1e2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d

        --b1--

        """.utf8)

    @Test func bounceIsCommittedOnceEvenWhenTheMailArrivesTwice() throws {
        let s = try Self.setUp()
        let first = try s.ingest.ingest(Self.dsn, db: s.db)
        #expect(first.inserted == 1)
        #expect(first.kinds == ["bounce": 1, "delayed": 1])
        let second = try s.ingest.ingest(Self.dsn, db: s.db)
        #expect(second.inserted == 0)
        #expect(second.duplicates == 1)
        let rows = try s.db.list(OutboxQuery(states: []))
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.email == "gone@example.org")
        #expect(row.reason == "userunknown")
        #expect(row.type == "hard")
        #expect(row.body.contains("a3c1e2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d"))
        #expect(row.body.contains("4ABCD12"))
        // Counted once: the second copy added nothing.
        let counts = try s.db.counters(prefix: "mail.")
        #expect(counts["mail.mails"] == 1)
        #expect(counts["mail.records.delayed"] == 1)
    }

    @Test func autoReplyMakesNoEventButIsCounted() throws {
        let s = try Self.setUp()
        let mail = Array(
            "From: jane@example.org\nSubject: Out of Office: news\nAuto-Submitted: auto-replied\n\naway\n".utf8)
        let o = try s.ingest.ingest(mail, db: s.db)
        #expect(o.inserted == 0)
        #expect(o.kinds == ["auto-reply": 1])
        #expect(try s.db.list(OutboxQuery(states: [])).isEmpty)
        #expect(try s.db.counters(prefix: "mail.")["mail.records.auto-reply"] == 1)
    }

    @Test func oversizedMailIsKeptForReviewNotParsed() throws {
        let s = try Self.setUp()
        let big = Array("From: x@example.org\n\n".utf8) + [UInt8](repeating: 0x61, count: 70 * 1024)
        let o = try s.ingest.ingest(big, db: s.db)
        let kept = try #require(o.keptForReview)
        #expect(kept.why.contains("cap"))
        let saved = try #require(FileManager.default.contents(atPath: kept.path))
        #expect(saved.count > big.count)
        #expect(String(decoding: saved.prefix(20), as: UTF8.self).hasPrefix("X-Bouncetail-Review:"))
        #expect(try s.db.counters(prefix: "mail.")["mail.unparsed"] == 1)
    }

    @Test func unwritableReviewDirectoryIsAnErrorSoTheMTARetries() throws {
        var s = try Self.setUp()
        var config = s.config
        // A file where the directory should be: nothing can be kept, so ingest must throw (exit 75).
        #expect(FileManager.default.createFile(atPath: s.dir + "/blocker", contents: Data()))
        config.mail.reviewDir = s.dir + "/blocker/review"
        s = Setup(
            dir: s.dir, config: config, db: s.db, ingest: MailIngest(config: config, classifier: s.ingest.classifier))
        #expect(throws: (any Error).self) {
            try s.ingest.ingest(Array("\n\nno header".utf8), db: s.db)
        }
    }
}
