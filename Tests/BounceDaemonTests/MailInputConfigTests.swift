import Foundation
import Testing

@testable import BounceDaemon

/// `[[mail.maildir]]` and `[[mail.mailbox]]`: what is read, what is refused and how it is said.
@Suite struct MailInputConfigTests {
    @Test func maildirsAndMailboxesAreRead() throws {
        let config = try ConfigLoader.parse(
            """
            [[mail.maildir]]
            path = "/home/bounces/Maildir"
            after = "delete"
            poll_interval = "2s"

            [[mail.mailbox]]
            name = "imap"
            url = "imaps://mail.example.org/INBOX"
            username = "bounces"
            password_file = "/etc/bouncetail/mail.password"
            ca_file = "/etc/ssl/local-ca.pem"
            after = "move"
            move_to = "Processed"
            poll_interval = "30s"
            timeout = "10s"

            [[mail.mailbox]]
            url = "pop3s://mail.example.org"
            username = "bounces"
            password_env = "BOUNCES_POP3_PASSWORD"
            """)
        #expect(config.mail.hasInputs)
        let maildir = try #require(config.mail.maildirs.first)
        #expect(maildir.path == "/home/bounces/Maildir" && maildir.after == .delete)
        #expect(maildir.pollInterval == .seconds(2) && maildir.name == "/home/bounces/Maildir")
        #expect(config.mail.mailboxes.count == 2)
        let imap = config.mail.mailboxes[0]
        #expect(imap.isIMAP && imap.name == "imap" && imap.after == .move && imap.moveTo == "Processed")
        #expect(imap.caFile == "/etc/ssl/local-ca.pem" && imap.timeout == .seconds(10))
        let pop = config.mail.mailboxes[1]
        #expect(!pop.isIMAP && pop.after == .delete && pop.pollInterval == .seconds(60))
        #expect(pop.passwordEnv == "BOUNCES_POP3_PASSWORD" && pop.name == "pop3s://mail.example.org")
    }

    @Test func thePasswordIsNeverReadFromTheFile() {
        let found = configIssues(
            """
            [[mail.mailbox]]
            url = "imaps://mail.example.org/INBOX"
            username = "bounces"
            password = "hunter2"
            password_file = "/etc/bouncetail/mail.password"
            """)
        #expect(found.count == 1)
        #expect(found.first?.keyPath == "mail.mailbox[0].password")
        #expect(found.first?.message.contains("password_file") == true)
        #expect(found.first?.description.contains("hunter2") == false)
    }

    @Test func mistakesSayWhatToWrite() {
        let found = configIssues(
            """
            [[mail.maildir]]
            after = "archive"

            [[mail.mailbox]]
            url = "https://mail.example.org"
            username = "bounces"
            password_env = "P"

            [[mail.mailbox]]
            url = "pop3s://mail.example.org"
            username = "bounces"
            password_env = "P"
            after = "move"

            [[mail.mailbox]]
            url = "imaps://mail.example.org/INBOX"
            username = "bounces"

            [[mail.mailbox]]
            url = "imaps://mail.example.org/INBOX"
            name = "x"
            username = "bounces"
            password_env = "P"
            after = "move"
            """)
        let byKey = Dictionary(
            found.map { ($0.keyPath ?? "", $0.message) }, uniquingKeysWith: { a, b in a + " | " + b })
        #expect(byKey["mail.maildir[0].after"]?.contains(#""move", "delete""#) == true)
        #expect(byKey["mail.maildir[0].path"]?.contains("new/ and cur/") == true)
        #expect(byKey["mail.mailbox[0].url"]?.contains("imaps://mail.example.org/INBOX") == true)
        #expect(byKey["mail.mailbox[1].after"]?.contains("POP3 has no folders") == true)
        #expect(byKey["mail.mailbox[2].password_file"]?.contains("password_env") == true)
        #expect(byKey["mail.mailbox[3].move_to"]?.contains("Processed") == true)
        #expect(found.count == 6)
    }

    @Test func thePasswordComesFromTheEnvironmentThenTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-pw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("  pass word \r\nsecond line\n".utf8).write(to: URL(fileURLWithPath: dir + "/pw"))
        var m = MailboxInputConfig(url: "imaps://h/INBOX", username: "u")
        m.passwordFile = dir + "/pw"
        m.passwordEnv = "BT_TEST_PW"
        #expect(try m.resolvePassword(environment: [:]) == "  pass word ")
        #expect(try m.resolvePassword(environment: ["BT_TEST_PW": "from-env"]) == "from-env")
        m.passwordFile = dir + "/absent"
        #expect {
            try m.resolvePassword(environment: [:])
        } throws: { "\($0)".contains("cannot be read") && "\($0)".contains("bouncetail user") }
    }

    @Test func checkConfigCountsMailInputsAsSomethingToReadAndChecksThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-cc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        var config = BounceTailConfig()
        config.general.stateDB = dir + "/state/state.db"
        config.mail.maildirs = [MaildirInputConfig(path: dir + "/NoMaildir")]
        var box = MailboxInputConfig(url: "imap://mail.example.org/INBOX", username: "u")
        box.passwordEnv = "BT_ABSENT"
        box.caFile = dir + "/absent-ca.pem"
        config.mail.mailboxes = [box]
        let findings = ConfigCheck.findings(config, environment: [:], serviceUser: nil)
        let keys = findings.map(\.key)
        #expect(!keys.contains("sources"))
        #expect(findings.contains { $0.key == "mail.maildir[0].path" && $0.severity == .error })
        #expect(findings.contains { $0.key == "mail.mailbox[0].password_file" && $0.message.contains("BT_ABSENT") })
        #expect(findings.contains { $0.key == "mail.mailbox[0].ca_file" && $0.severity == .error })
        #expect(findings.contains { $0.key == "mail.mailbox[0].url" && $0.message.contains("STARTTLS required") })
    }
}

/// The line `poll-mailbox` prints and `run` reads back: a change on either side must keep them agreeing.
@Test func aPollResultRoundTripsThroughItsJSONLine() throws {
    let result = MailPollResult(committed: 3, inserted: 2, errorKind: "tls", error: "SSL certificate problem")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let line = String(decoding: try encoder.encode(result), as: UTF8.self)
    #expect(line == #"{"committed":3,"error":"SSL certificate problem","error_kind":"tls","inserted":2}"#)
    #expect(try JSONDecoder().decode(MailPollResult.self, from: Data(line.utf8)) == result)
    #expect(
        try JSONDecoder().decode(MailPollResult.self, from: Data(#"{"committed":0,"inserted":0}"#.utf8))
            == MailPollResult())
}
