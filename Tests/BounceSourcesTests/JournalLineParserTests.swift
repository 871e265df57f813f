import BounceCore
import Foundation
import Testing

@testable import BounceSources

@Suite("Journal entries as parsed lines")
struct JournalLineParserTests {
    private func entry(_ message: String, identifier: String?, pid: Int? = 777) -> JournalEntry {
        JournalEntry(
            message: Array(message.utf8), identifier: identifier, pid: pid,
            realtime: LogTime(microseconds: 1_795_687_200_123_456), unit: "postfix@-.service", facility: 2,
            hostname: "journal-host", cursor: "s=x;i=1;t=1")
    }

    @Test("a Postfix entry: record from MESSAGE, envelope from the entry's fields, host from _HOSTNAME")
    func postfix() throws {
        var parser = JournalLineParser(host: "mail.example.org")
        let line = parser.parse(
            entry(
                "3F2A1B4C5D: to=<gone@example.net>, relay=mx.example.net[192.0.2.5]:25, delay=1, "
                    + "delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.5] said: "
                    + "550 5.1.1 <gone@example.net>: User unknown (in reply to RCPT TO command))",
                identifier: "postfix/smtp"))
        #expect(
            line.envelope
                == LogEnvelope(
                    time: LogTime(microseconds: 1_795_687_200_123_456), host: "journal-host",
                    program: "postfix/smtp", pid: 777))
        guard case .delivery(let attempt) = line.record else {
            Issue.record("expected a delivery record, got \(line.record)")
            return
        }
        #expect(attempt.queueID == "3F2A1B4C5D")
        #expect(attempt.recipient == "gone@example.net")
        #expect(attempt.status == .bounced)
        #expect(attempt.dsn == "5.1.1")
        #expect(attempt.agent == "smtp")
        #expect(attempt.smtpStage == .rcpt)
    }

    @Test("an entry without _HOSTNAME takes the parser's host")
    func noHostname() {
        var parser = JournalLineParser(host: "mail")
        var e = entry("3F2A1B4C5E: removed", identifier: "postfix/qmgr")
        e.hostname = nil
        #expect(parser.parse(e).envelope.host == "mail")
    }

    @Test("a multi-instance Postfix identifier is kept as the program")
    func postfixInstance() {
        var parser = JournalLineParser(host: "mail")
        let line = parser.parse(entry("3F2A1B4C5E: removed", identifier: "postfix-out/qmgr"))
        #expect(line.record == .removed(mta: .postfix, queueID: "3F2A1B4C5E"))
        #expect(line.envelope.program == "postfix-out/qmgr")
    }

    @Test("Exim via syslog with its own timestamp and pid: parsed, with the journal's time and pid")
    func eximStamped() throws {
        var parser = JournalLineParser(host: "mx1")
        let line = parser.parse(
            entry(
                "2026-11-26 11:00:00 [4242] 1vRaBc-0003Xy-4E ** rita@i.example R=dnslookup T=remote_smtp "
                    + "H=mx.i.example [198.51.100.21]: SMTP error from remote mail server after RCPT TO:<rita@i.example>: "
                    + "550 5.1.1 <rita@i.example>: mailbox unavailable",
                identifier: "exim"))
        #expect(line.envelope.time == LogTime(microseconds: 1_795_687_200_123_456))
        #expect(line.envelope.program == "exim")
        #expect(line.envelope.pid == 777)
        // The journal's host, not the one the parser was given for entries without `_HOSTNAME`.
        #expect(line.envelope.host == "journal-host")
        guard case .delivery(let attempt) = line.record else {
            Issue.record("expected a delivery record, got \(line.record)")
            return
        }
        #expect(attempt.mta == .exim)
        #expect(attempt.queueID == "1vRaBc-0003Xy-4E")
        #expect(attempt.status == .bounced)
        #expect(attempt.smtpStage == .rcpt)
    }

    @Test("Exim via syslog without its timestamp (syslog_timestamp = false) is a bare message")
    func eximBare() {
        var parser = JournalLineParser(host: "mx1")
        let line = parser.parse(entry("1vRaBc-0003Xy-4D Completed", identifier: "exim4"))
        #expect(line.record == .removed(mta: .exim, queueID: "1vRaBc-0003Xy-4D"))
        #expect(line.envelope.program == "exim4")
    }

    @Test("a message that is no delivery record is not mistaken for one, whatever its bytes")
    func other() {
        var parser = JournalLineParser(host: nil)
        var weird = entry("", identifier: "postfix/smtp")
        weird.message = [0xFF, 0x00, 0x32, 0x30, 0x32, 0x36]
        // From a Postfix program it is some other Postfix line; without a program, nothing at all.
        #expect(parser.parse(weird).record == .otherMTA(mta: .postfix))
        #expect(parser.parse(entry("", identifier: nil)).record == .other)
    }
}
