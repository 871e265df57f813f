import BounceCore
import BounceSources
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// systemd-journal-remote, which writes journal files from export-format input; nil when not installed.
let journalRemoteTool: String? = [
    "/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote",
].first { FileManager.default.isExecutableFile(atPath: $0) }

/// The same MTA log converted to a journal and read as a file gives the same events.
///
/// Each line of a sample log becomes a journal entry the way journald stores a syslog line (the
/// header becomes `__REALTIME_TIMESTAMP`, `SYSLOG_IDENTIFIER` and `_PID`; the rest is `MESSAGE`; Exim
/// logging to syslog keeps its own timestamp in MESSAGE), written into a real journal file by
/// `systemd-journal-remote`, and backfilled through ``JournalBackfillRunner``. Its events must equal
/// those of ``BackfillRunner`` reading the log file.
@Suite(
    "Journal backfill gives the events of the file backfill",
    .enabled(
        if: journalRemoteTool != nil,
        "systemd-journal-remote not found (Debian: apt-get install systemd-journal-remote): journal backfill tests skipped"
    ))
struct JournalBackfillTests {
    static func samplePath(_ name: String) -> String {
        SampleBackfillTests.repo.appendingPathComponent("samples/\(name)").path
    }

    /// Journal Export Format of the sample log's lines. The file's times come from the same parser
    /// options the file backfill uses (the file's mtime resolves the syslog year), so both readings
    /// agree on every timestamp.
    static func export(_ sample: String, hostname: String = "mail") throws -> [UInt8] {
        let path = samplePath(sample)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var parser = LineParser(
            options: LineParserOptions(timeZone: .utc, referenceTime: BackfillRunner.modificationTime(path)))
        var out: [UInt8] = []
        func field(_ name: String, _ value: String?) {
            guard let value else { return }
            out += Array("\(name)=\(value)\n".utf8)
        }
        for (index, line) in text.split(separator: "\n").enumerated() {
            let parsed = parser.parse(String(line))
            let isExim = sample.contains("exim")
            guard let time = parsed.envelope.time else {
                throw ExportFailed(description: "\(sample): no time in: \(line)")
            }
            let message: Substring
            if isExim {
                message = line  // syslog_timestamp: Exim's own stamp stays in MESSAGE
            } else {
                guard let colon = line.range(of: "]: ") else {
                    throw ExportFailed(description: "\(sample): no program[pid]: in: \(line)")
                }
                message = line[colon.upperBound...]
            }
            field("__REALTIME_TIMESTAMP", String(time.microseconds))
            field("__MONOTONIC_TIMESTAMP", String(7_000_000 + index * 1_000))
            field("_BOOT_ID", "00112233445566778899aabbccddeeff")
            field("_HOSTNAME", hostname)
            field("SYSLOG_IDENTIFIER", isExim ? "exim" : parsed.envelope.program)
            field("_PID", isExim ? nil : parsed.envelope.pid.map(String.init))
            field("_SYSTEMD_UNIT", isExim ? "exim4.service" : "postfix@-.service")
            field("SYSLOG_FACILITY", "2")
            out += Array("MESSAGE\n".utf8)
            var length = UInt64(message.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { out += $0 }
            out += Array(message.utf8)
            out += [0x0A, 0x0A]
        }
        return out
    }

    struct ExportFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// A directory holding one journal file made from `sample` by systemd-journal-remote.
    static func makeJournal(_ sample: String, hostname: String = "mail") throws -> String {
        let dir = NSTemporaryDirectory() + "bt-journal-backfill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let input = dir + "/input.export"
        try Data(try export(sample, hostname: hostname)).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: journalRemoteTool!)
        process.arguments = ["--output=\(dir)/sample.journal", "-"]
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ExportFailed(
                description:
                    "systemd-journal-remote exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))"
            )
        }
        return dir
    }

    static func journalConfig(_ dir: String) -> JournalSourceConfig {
        var c = JournalSourceConfig()
        c.enabled = true
        c.directory = dir
        return c
    }

    static func journalBackfill(
        _ dir: String, state: String? = nil, since: LogTime? = nil,
        configure: (inout BounceTailConfig) -> Void = { _ in }
    ) async throws -> (events: [BounceEvent], report: JournalStartReport, summary: BackfillSummary) {
        var config = SampleBackfillTests.config(state: state)
        configure(&config)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config), since: since)
        let db = try state.map { try StateDB(path: $0) }
        let runner = JournalBackfillRunner(
            pipeline: pipeline, db: db, sink: .localStore, host: config.general.hostName, timeZone: .utc)
        var events: [BounceEvent] = []
        let (report, summary) = try await runner.run(config: journalConfig(dir), since: since, emit: { events += $0 })
        return (events, report, summary)
    }

    @Test(
        "The journal dry run gives exactly the file dry run's events", arguments: ["postfix-mail.log", "exim-mainlog"])
    func dryRunEqualsFileBackfill(sample: String) async throws {
        let dir = try Self.makeJournal(sample)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fromFile = try SampleBackfillTests.dryRun(sample)
        let (fromJournal, report, summary) = try await Self.journalBackfill(dir)
        #expect(report == .head)
        let lineCount = try String(contentsOfFile: Self.samplePath(sample), encoding: .utf8).split(separator: "\n")
            .count
        #expect(summary.lines == lineCount, "every entry of the journal is scanned")
        // Something to compare: the sample has bounces, held ones among them.
        #expect(fromFile.count >= 8)
        #expect(fromJournal == fromFile)
        let expect = sample.hasPrefix("postfix") ? "postfix.expect.tsv" : "exim.expect.tsv"
        SampleBackfillTests.check(fromJournal, against: try SampleBackfillTests.expectations(expect))
    }

    /// The file says `mail`, the journal `MAIL.lab.test`, and `host_name` is neither: the machine's own names
    /// (here both forms) make every line this machine's, Exim's mainlog (no host) included.
    @Test(
        "File and journal agree when _HOSTNAME is qualified and host_name differs from the syslog host",
        arguments: ["postfix-mail.log", "exim-mainlog"])
    func hostFormsAgree(sample: String) async throws {
        let dir = try Self.makeJournal(sample, hostname: "MAIL.lab.test")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func configure(_ c: inout BounceTailConfig) {
            c.general.hostName = "central.example.org"
            c.hosts.machineNames = ["MAIL.lab.test"]
        }
        let fromFile = try SampleBackfillTests.dryRun(sample, configure: configure)
        let fromJournal = try await Self.journalBackfill(dir, configure: configure).events
        #expect(fromFile.count >= 8)
        #expect(fromJournal == fromFile)
        #expect(Set(fromJournal.map(\.meta.host)) == ["central"])
        #expect(fromJournal.allSatisfy { $0.dedupKey.hasPrefix("v2|central|") })

        // Another machine's journal (not this one's names): the same lines keep that machine's short name,
        // and the file, which says `mail`, agrees for Postfix; Exim's mainlog names no host, so it cannot.
        func elsewhere(_ c: inout BounceTailConfig) {
            c.general.hostName = "central.example.org"
            c.hosts.machineNames = []
        }
        let other = try await Self.journalBackfill(dir, configure: elsewhere).events
        #expect(Set(other.map(\.meta.host)) == ["mail"])
        if sample.hasPrefix("postfix") {
            #expect(
                try SampleBackfillTests.dryRun(sample, configure: elsewhere) == other)
        }
    }

    @Test("With a state DB: the second journal backfill resumes after the stored cursor and adds nothing")
    func backfillIntoTheStoreResumesFromTheCursor() async throws {
        let dir = try Self.makeJournal("postfix-mail.log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = dir + "/state.db"
        let expected = try SampleBackfillTests.expectations("postfix.expect.tsv").filter { $0.outcome != "none" }

        let first = try await Self.journalBackfill(dir, state: state)
        #expect(first.report == .head)
        #expect(first.summary.newEvents == expected.count)
        let stored = try StateDB(path: state).position(of: "journal")
        #expect(stored?.journalCursor != nil, "the cursor is committed with the events")

        let second = try await Self.journalBackfill(dir, state: state)
        guard case .afterCursor = second.report else {
            Issue.record("second run should resume after the stored cursor, started: \(second.report)")
            return
        }
        #expect(second.summary.lines == 0)
        #expect(second.summary.newEvents == 0)
        let status = try StateDB(path: state).status()
        let held = expected.filter { $0.action == "hold" }.count
        #expect(status.stored == expected.count - held)
        #expect(status.held == held)
    }

    @Test("The file backfill and then the journal backfill of the same log store each bounce once")
    func fileThenJournalStoresNothingTwice() async throws {
        let dir = try Self.makeJournal("postfix-mail.log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = dir + "/state.db"
        let config = SampleBackfillTests.config(state: state)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let fileRunner = BackfillRunner(
            pipeline: pipeline, db: try StateDB(path: state), sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
        let fileSummary = try fileRunner.run(inputs: [Self.samplePath("postfix-mail.log")], emit: { _ in })
        #expect(fileSummary.newEvents > 0)

        let journal = try await Self.journalBackfill(dir, state: state)
        #expect(journal.summary.events == fileSummary.events, "the journal found the same bounces")
        #expect(journal.summary.newEvents == 0, "a bounce read from both the file and the journal is stored once")
        #expect(journal.summary.duplicates == fileSummary.newEvents)
    }

    @Test("--since: reading starts at the first entry at or after it")
    func sinceSkipsEarlierEntries() async throws {
        let dir = try Self.makeJournal("postfix-mail.log")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = Self.samplePath("postfix-mail.log")
        var parser = LineParser(
            options: LineParserOptions(timeZone: .utc, referenceTime: BackfillRunner.modificationTime(path)))
        let times = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            parser.parse(String($0)).envelope.time
        }
        let since = times[times.count / 2]
        let all = try await Self.journalBackfill(dir)
        let later = try await Self.journalBackfill(dir, since: since)
        #expect(later.report == .since(since))
        #expect(later.summary.lines == times.filter { $0 >= since }.count)
        #expect(later.summary.lines < all.summary.lines)
        #expect(Set(later.events.map(\.dedupKey)).isSubset(of: Set(all.events.map(\.dedupKey))))
    }
}
