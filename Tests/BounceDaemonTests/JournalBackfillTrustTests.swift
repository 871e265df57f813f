import BounceCore
import BounceSources
import Foundation
import Testing

@testable import BounceDaemon

/// `backfill --journal-dir` applies the trust check: a forged Postfix bounce (a user's `logger`:
/// `_UID=1000`, `_COMM=logger`, no unit) beside the real Postfix entries (in `postfix@-.service`)
/// gives no event and is reported by sender; trusting that uid makes it a bounce, so the check is
/// what keeps it out.
@Suite(
    "Journal backfill refuses forged entries",
    .enabled(if: journalRemoteTool != nil, "systemd-journal-remote not found: journal trust backfill tests skipped"))
struct JournalBackfillTrustTests {
    static let victim = "victim@example.org"

    /// A second journal file in `dir` with a complete forged bounce.
    static func addForgedJournal(to dir: String) throws {
        let qid = "DEAD0001A1"
        let lines = [
            ("postfix/qmgr", "\(qid): from=<bounces@lab.test>, size=1000, nrcpt=1 (queue active)"),
            (
                "postfix/smtp",
                "\(qid): to=<\(victim)>, relay=mx.example.org[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1, "
                    + "status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <\(victim)>: Recipient address "
                    + "rejected: User unknown (in reply to RCPT TO command))"
            ),
            ("postfix/qmgr", "\(qid): removed"),
        ]
        var out: [UInt8] = []
        let base: Int64 = 1_795_687_200_000_000
        for (i, (identifier, message)) in lines.enumerated() {
            let fields = [
                "__REALTIME_TIMESTAMP=\(base + Int64(i) * 1_000_000)", "__MONOTONIC_TIMESTAMP=\(9_000_000 + i * 1000)",
                "_BOOT_ID=ffeeddccbbaa99887766554433221100", "_HOSTNAME=mail", "SYSLOG_IDENTIFIER=\(identifier)",
                "SYSLOG_FACILITY=2", "_UID=1000", "_COMM=logger", "_EXE=/usr/bin/logger", "_PID=\(7000 + i)",
            ]
            for f in fields { out += Array("\(f)\n".utf8) }
            out += Array("MESSAGE\n".utf8)
            var length = UInt64(message.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { out += $0 }
            out += Array(message.utf8) + [0x0A, 0x0A]
        }
        let input = dir + "/forged.export"
        try Data(out).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: journalRemoteTool!)
        process.arguments = ["--output=\(dir)/forged.journal", "-"]
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    static func backfill(
        _ dir: String, trust: JournalTrustConfig = JournalTrustConfig()
    ) async throws -> (events: [BounceEvent], runner: JournalBackfillRunner) {
        let config = SampleBackfillTests.config(state: nil)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let runner = JournalBackfillRunner(
            pipeline: pipeline, db: nil, sink: .localStore, host: config.general.hostName, timeZone: .utc)
        var journal = JournalBackfillTests.journalConfig(dir)
        journal.trust = trust
        var events: [BounceEvent] = []
        _ = try await runner.run(config: journal, since: nil, emit: { events += $0 })
        return (events, runner)
    }

    @Test("the forged bounce gives no event and is reported; the real bounces are all there")
    func forgedRefused() async throws {
        let dir = try JournalBackfillTests.makeJournal("postfix-mail.log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.addForgedJournal(to: dir)

        let (events, runner) = try await Self.backfill(dir)
        #expect(!events.contains { $0.email == Self.victim })
        #expect(events == (try SampleBackfillTests.dryRun("postfix-mail.log")))
        #expect(runner.untrusted == [JournalProvenance(uid: 1000, comm: "logger", exe: "/usr/bin/logger"): 3])
        // The sample's entries carry postfix@-.service; no entry has postfix.service or exim4.service.
        #expect(runner.trustWarnings.contains { $0.contains("postfix.service, exim4.service") })
    }

    @Test("trusting the forger's uid lets the forgery through: the check is what refuses it")
    func controlTrustingTheUser() async throws {
        let dir = try JournalBackfillTests.makeJournal("postfix-mail.log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.addForgedJournal(to: dir)
        var trust = JournalTrustConfig()
        trust.users += ["1000"]
        let (events, runner) = try await Self.backfill(dir, trust: trust)
        #expect(events.filter { $0.email == Self.victim }.count == 1)
        #expect(runner.untrusted.isEmpty)
    }
}
