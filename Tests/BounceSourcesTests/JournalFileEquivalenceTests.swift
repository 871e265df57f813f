import BounceCore
import Foundation
import Testing

@testable import BounceSources

/// The same MTA log read from a file and from the journal gives the same records: the lines are
/// converted to journal entries the way journald stores them (the syslog header becomes fields,
/// MESSAGE is the rest), written with systemd-journal-remote, read back through JournalSource and
/// JournalLineParser, and compared with what LineParser makes of the file lines.
@Suite(
    "Journal and file give the same records",
    .enabled(if: JournalFixture.remoteTool != nil, JournalFixture.missingToolReason))
struct JournalFileEquivalenceTests {
    static let postfixLines = [
        "Nov 26 10:00:01 mail postfix/pickup[2101]: 4B1C2D3E4F: uid=1000 from=<news@lists.example.org>",
        "Nov 26 10:00:01 mail postfix/cleanup[2102]: 4B1C2D3E4F: message-id=<c1.s1@lists.example.org>",
        "Nov 26 10:00:01 mail postfix/cleanup[2102]: 4B1C2D3E4F: info: header X-Listmonk-Campaign: 5f0e8b5e-3b1a-4c8e-9d6a-2f4b8c1d7e90 from local; from=<news@lists.example.org> to=<gone@example.net>",
        "Nov 26 10:00:01 mail postfix/qmgr[2050]: 4B1C2D3E4F: from=<news@lists.example.org>, size=2048, nrcpt=2 (queue active)",
        "Nov 26 10:00:02 mail postfix/smtp[2103]: 4B1C2D3E4F: to=<gone@example.net>, relay=mx.example.net[192.0.2.5]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.5] said: 550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))",
        "Nov 26 10:00:02 mail postfix/smtp[2104]: 4B1C2D3E4F: to=<slow@example.com>, relay=mx.example.com[192.0.2.6]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=4.7.1, status=deferred (host mx.example.com[192.0.2.6] said: 451 4.7.1 Greylisted, try again later (in reply to RCPT TO command))",
        "Nov 26 10:00:02 mail postfix/bounce[2105]: 4B1C2D3E4F: sender non-delivery notification: 5C6D7E8F9A",
        "Nov 26 10:00:03 mail postfix-out/smtp[2201]: 6A7B8C9D0E: to=<ok@example.org>, relay=mx.example.org[192.0.2.7]:25, delay=0.4, delays=0/0/0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1122334455)",
        "Nov 26 10:00:04 mail postfix/smtpd[2300]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <spam@mail.example>: Relay access denied; from=<x@203.0.113.9> to=<spam@mail.example> proto=ESMTP helo=<x>",
        "Nov 26 10:00:05 mail postfix/qmgr[2050]: 4B1C2D3E4F: removed",
        "Nov 26 10:00:06 mail postfix/smtp[2106]: warning: TLS library problem: error:0A000126:SSL routines::unexpected eof while reading",
    ]

    static let eximLines = [
        "2026-11-26 10:01:00 1vRaBc-0003Xy-4E <= news@lists.example.org H=(lists.example.org) [127.0.0.1] P=esmtp S=2048 id=c2.s2@lists.example.org",
        "2026-11-26 10:01:01 1vRaBc-0003Xy-4E ** rita@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.21]: SMTP error from remote mail server after RCPT TO:<rita@example.net>: 550 5.1.1 <rita@example.net>: mailbox unavailable",
        "2026-11-26 10:01:01 1vRaBc-0003Xy-4E == slow@example.com R=dnslookup T=remote_smtp defer (-44) H=mx.example.com [198.51.100.22]: SMTP error from remote mail server after RCPT TO:<slow@example.com>: 451 4.7.1 Greylisted",
        "2026-11-26 10:01:02 1vRaBc-0003Xy-4E Completed",
    ]

    @Test("Postfix: syslog file lines and their journal entries give equal records and envelopes")
    func postfix() async throws {
        let reference = LogTime(seconds: 1_795_700_000)  // after the lines: their year is 2026
        var fileParser = LineParser(options: LineParserOptions(envelope: .syslog, referenceTime: reference))
        let fromFile = Self.postfixLines.map { fileParser.parse($0) }
        #expect(fromFile.allSatisfy { $0.envelope.time != nil && $0.envelope.program != nil })

        // As journald stores a syslog line: header → fields, the rest → MESSAGE.
        let exported = zip(Self.postfixLines, fromFile).enumerated().map { index, pair in
            let (line, parsed) = pair
            let message = String(line[line.range(of: "]: ")!.upperBound...])
            return ExportEntry(
                message, identifier: parsed.envelope.program, pid: parsed.envelope.pid,
                realtime: parsed.envelope.time!.microseconds, monotonic: 9_000_000 + Int64(index) * 1_000)
        }
        let fromJournal = try await readBack(exported, host: "mail")

        #expect(fromJournal.count == fromFile.count)
        for (file, journal) in zip(fromFile, fromJournal) {
            #expect(journal.record == file.record)
            #expect(journal.extraHeaders == file.extraHeaders)
            #expect(journal.envelope == file.envelope)
        }
        // The lines are not all `other`: the comparison means something.
        #expect(Set(fromFile.map(\.record.kind)).count >= 6)
    }

    @Test("Exim: mainlog lines and the same text logged to syslog give equal records")
    func exim() async throws {
        var fileParser = LineParser(options: LineParserOptions(envelope: .exim))
        let fromFile = Self.eximLines.map { fileParser.parse($0) }
        let exported = zip(Self.eximLines, fromFile).enumerated().map { index, pair in
            ExportEntry(
                pair.0, identifier: "exim", pid: 3100 + index, realtime: pair.1.envelope.time!.microseconds,
                monotonic: 9_500_000 + Int64(index) * 1_000, unit: "exim4.service")
        }
        let fromJournal = try await readBack(exported, host: "mx1")
        #expect(fromJournal.map(\.record) == fromFile.map(\.record))
        #expect(fromJournal.map(\.envelope.time) == fromFile.map(\.envelope.time))
        #expect(Set(fromFile.map(\.record.kind)) == [.queued, .delivery, .removed])
    }

    private func readBack(_ entries: [ExportEntry], host: String) async throws -> [ParsedLine] {
        let dir = try JournalFixture.temporaryDirectory("equivalence")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", entries)
        let source = try JournalSource(
            options: JournalOptions(location: .directory(dir), selection: .mail, start: .head, mode: .backfill))
        try await source.start()
        var parser = JournalLineParser(host: host)
        return try await collect(source).entries.map { parser.parse($0) }
    }
}
