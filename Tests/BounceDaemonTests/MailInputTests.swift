import BounceClassifier
import BounceCore
import BounceSources
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// The Maildir pass of `run` and `backfill --maildir/--mbox`, on real directories and a real state
/// database, through the same commit as `ingest-mail`.
@Suite struct MailInputTests {
    /// A DSN for `recipient`, its own Message-ID so each is a distinct report.
    static func dsn(_ recipient: String, id: String) -> String {
        """
        From: MAILER-DAEMON@mta.example.net
        To: bounces@lists.example.net
        Subject: Undelivered Mail Returned to Sender
        Message-Id: <\(id)@mta.example.net>
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mta.example.net

        Final-Recipient: rfc822; \(recipient)
        Action: failed
        Status: 5.1.1
        Diagnostic-Code: smtp; 550 5.1.1 user unknown

        --b1--

        """
    }

    static let autoReply = "From: jane@example.org\nSubject: Out of Office\nAuto-Submitted: auto-replied\n\naway\n"

    static func maildir(in base: String, mails: [String: String]) throws -> String {
        let dir = base + "/Maildir"
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        for (name, text) in mails {
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/new/" + name))
        }
        return dir
    }

    static func recipients(_ db: StateDB) throws -> [String] {
        try db.list(OutboxQuery(states: [])).map(\.email).sorted()
    }

    @Test func aPassCommitsEachMailThenMovesItToCurSeen() throws {
        let s = try MailIngestTests.setUp()
        let dir = try Self.maildir(
            in: s.dir,
            mails: [
                "1700000001.M1.h": Self.dsn("a@example.org", id: "r1"), "1700000002.M2.h": Self.autoReply,
                "1700000003.M3.h": Self.dsn("b@example.org", id: "r3"),
            ])
        let pass = MaildirPass(ingest: s.ingest, input: MaildirInputConfig(path: dir))
        let summary = pass.run(db: s.db)
        #expect(summary.committed == 3 && summary.inserted == 2 && summary.error == nil)
        #expect(try Self.recipients(s.db) == ["a@example.org", "b@example.org"])
        #expect(try Maildir(path: dir).newMessages().isEmpty)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir + "/cur").sorted() == [
                "1700000001.M1.h:2,S", "1700000002.M2.h:2,S", "1700000003.M3.h:2,S",
            ])
        // Nothing new: a second pass reads nothing.
        #expect(pass.run(db: s.db).committed == 0)
    }

    @Test func theSameMailDeliveredAgainAddsNoEventAndDeleteRemovesIt() throws {
        let s = try MailIngestTests.setUp()
        let mail = Self.dsn("a@example.org", id: "r1")
        let dir = try Self.maildir(in: s.dir, mails: ["1.M1.h": mail])
        var input = MaildirInputConfig(path: dir)
        input.after = .delete
        let pass = MaildirPass(ingest: s.ingest, input: input)
        #expect(pass.run(db: s.db).inserted == 1)
        // A crash between commit and delete leaves the mail: read again, it adds nothing.
        try Data(mail.utf8).write(to: URL(fileURLWithPath: dir + "/new/2.M2.h"))
        let again = pass.run(db: s.db)
        #expect(again.committed == 1 && again.inserted == 0 && again.duplicates == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/new").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cur").isEmpty)
        #expect(try Self.recipients(s.db) == ["a@example.org"])
    }

    @Test func aCommitThatFailsLeavesTheMailInNew() throws {
        var s = try MailIngestTests.setUp()
        var config = s.config
        // A file where the review directory should be: the unreadable mail cannot be kept, so its
        // ingest throws and the mail must stay where it is.
        #expect(FileManager.default.createFile(atPath: s.dir + "/blocker", contents: Data()))
        config.mail.reviewDir = s.dir + "/blocker/review"
        s = MailIngestTests.Setup(
            dir: s.dir, config: config, db: s.db, ingest: MailIngest(config: config, classifier: s.ingest.classifier))
        let dir = try Self.maildir(
            in: s.dir, mails: ["1.M1.h": Self.dsn("a@example.org", id: "r1"), "2.M2.h": "\n\nno header"])
        let summary = MaildirPass(ingest: s.ingest, input: MaildirInputConfig(path: dir)).run(db: s.db)
        #expect(summary.committed == 1)
        #expect(summary.error?.contains("2.M2.h not stored, left in new/") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/new") == ["2.M2.h"])
    }

    @Test func backfillReadsMaildirsAndMboxesOnceAndMovesNothing() throws {
        let s = try MailIngestTests.setUp()
        let dir = try Self.maildir(in: s.dir, mails: ["1.M1.h": Self.dsn("a@example.org", id: "r1")])
        try Data(Self.dsn("c@example.org", id: "r0").utf8).write(
            to: URL(fileURLWithPath: dir + "/cur/0.M0.h:2,S"))
        let mbox = s.dir + "/bounces.mbox"
        let text =
            "From MAILER-DAEMON Thu Dec  3 10:00:00 2026\n" + Self.dsn("b@example.org", id: "r2") + "\n"
            + "From jane Thu Dec  3 10:01:00 2026\n" + Self.autoReply + "\n"
            // The Maildir's mail again, as another copy: one event.
            + "From MAILER-DAEMON Thu Dec  3 10:02:00 2026\n" + Self.dsn("a@example.org", id: "r1")
        try Data(text.utf8).write(to: URL(fileURLWithPath: mbox))
        let backfill = MailBackfill(ingest: s.ingest)
        let first = try backfill.run(maildirs: [dir], mboxes: [mbox], db: s.db)
        #expect(first.mails == 5 && first.inserted == 3 && first.duplicates == 1)
        #expect(first.kinds["auto-reply"] == 1 && first.kinds["bounce"] == 4)
        #expect(first.failedInputs.isEmpty)
        #expect(try Self.recipients(s.db) == ["a@example.org", "b@example.org", "c@example.org"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/new") == ["1.M1.h"])
        let second = try backfill.run(maildirs: [dir], mboxes: [mbox], db: s.db)
        #expect(second.inserted == 0 && second.duplicates == 4)
    }

    @Test func backfillNamesInputsItCannotRead() throws {
        let s = try MailIngestTests.setUp()
        let notMbox = s.dir + "/one.eml"
        try Data(Self.autoReply.utf8).write(to: URL(fileURLWithPath: notMbox))
        let summary = try MailBackfill(ingest: s.ingest).run(
            maildirs: [s.dir + "/nowhere"], mboxes: [notMbox, s.dir + "/missing.mbox"], db: s.db)
        #expect(summary.mails == 0)
        #expect(summary.failedInputs.count == 3)
        #expect(summary.failedInputs[0].contains("must be a Maildir"))
        #expect(summary.failedInputs[1].contains("not a mbox file") && summary.failedInputs[1].contains("ingest-mail"))
        #expect(summary.failedInputs[2].contains("cannot open"))
    }
}
