import BounceCore
import Foundation
import Testing

@testable import BounceSources

/// The trust check inside ``JournalSource``, on real journal files (systemd-journal-remote keeps the
/// `_UID`, `_COMM` and `_SYSTEMD_UNIT` it is given, so forged and genuine entries can be written).
@Suite("Journal source trust", .enabled(if: JournalFixture.remoteTool != nil, JournalFixture.missingToolReason))
struct JournalTrustSourceTests {
    static let trust = JournalTrust(
        units: ["postfix.service", "postfix@*.service", "exim4.service"], uids: [104, 0])

    /// Six entries: genuine ones by unit and by uid, forged ones by a user (logger, a copy named
    /// smtp), and a dovecot line of a user that the identifier filter drops before trust is asked.
    static func mixed() -> [ExportEntry] {
        var e = JournalFixture.entries(6, unit: nil)
        e[0].unit = "postfix@-.service"  // genuine, by unit
        e[1].uid = 104  // genuine, by uid (no systemd as PID 1)
        e[1].comm = "smtp"
        e[2].uid = 1000  // forged: logger -t postfix/smtp
        e[2].comm = "logger"
        e[2].unit = "session-2.scope"
        e[3].uid = 65534  // forged: a copy of logger named smtp
        e[3].comm = "smtp"
        e[4].uid = 1000  // a user's dovecot-like entry: not the MTA's, not counted as untrusted
        e[4].identifier = "dovecot"
        e[5].uid = 0  // genuine: master/local/pipe log as root
        e[5].comm = "local"
        return e
    }

    @Test("only trusted entries are handed over; the refused are counted by sender in the batch")
    func refusesForged() async throws {
        let dir = try JournalFixture.temporaryDirectory("trust")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", Self.mixed())

        let source = try JournalSource(
            options: JournalOptions(
                location: .directory(dir), selection: .mail, trust: Self.trust, start: .head, mode: .backfill))
        try await source.start()
        let got = try await collect(source)

        #expect(got.entries.map(\.pid) == [1000, 1001, 1005])
        #expect(got.entries[1].uid == 104 && got.entries[1].comm == "smtp")
        #expect(got.entries[2].provenance == JournalProvenance(uid: 0, comm: "local"))
        var refused: [JournalProvenance: Int] = [:]
        for batch in got.batches { refused.merge(batch.untrusted, uniquingKeysWith: +) }
        #expect(
            refused == [
                JournalProvenance(uid: 1000, comm: "logger", unit: "session-2.scope"): 1,
                JournalProvenance(uid: 65534, comm: "smtp"): 1,
            ])
        #expect(source.counters.untrusted == 2)
        #expect(source.counters.filtered == 1)
        // Every entry was scanned, so the position still moves past the refused ones.
        #expect(got.batches.last?.position.realtime.microseconds == JournalFixture.baseRealtime + 5_000_000)
    }

    @Test("without a trust check every selected entry is handed over (tools reading their own journals)")
    func noTrust() async throws {
        let dir = try JournalFixture.temporaryDirectory("trust-none")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", Self.mixed())
        let source = try JournalSource(
            options: JournalOptions(location: .directory(dir), selection: .mail, start: .head, mode: .backfill))
        try await source.start()
        let got = try await collect(source)
        #expect(got.entries.count == 5)
        #expect(source.counters.untrusted == 0)
    }

    @Test("trusted units no entry came from are reported at start, globs matched against the journal's units")
    func unitsNotFound() async throws {
        let dir = try JournalFixture.temporaryDirectory("trust-units")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", Self.mixed())
        let source = try JournalSource(
            options: JournalOptions(
                location: .directory(dir), selection: .mail, trust: Self.trust, start: .head, mode: .backfill))
        try await source.start()
        #expect(source.unitsNotFound == ["postfix.service", "exim4.service"])
        source.stop()
    }
}
