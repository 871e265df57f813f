import BounceCore
import BounceReport
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// `bouncetail report` over a state database filled by backfills: a generated month of Postfix log (several hosts,
/// campaigns and providers) checked against the generator's own expectations (`scripts/gen-postfix-log.py
/// --expect`, which writes what it chose, not what bouncetail computes), and the bundled samples against their
/// `.expect.tsv`. Re-reading the same lines must leave every count as it was.
@Suite(.serialized) struct ReportFromLogsTests {
    struct Expected: Decodable {
        struct Cell: Decodable {
            var day: String
            var host: String
            var domain: String
            var campaign: String
            var delivered: Int
            var hard: Int
            var soft: Int
            var deferred: Int
            var held: Int
        }
        var cells: [Cell]
        var reasons: [String: Int]
        var guard_trips: [String]

        func sum(_ include: (Cell) -> Bool = { _ in true }) -> DeliverabilityReport.Outcomes {
            var o = DeliverabilityReport.Outcomes()
            for c in cells where include(c) {
                o.delivered += c.delivered
                o.hard += c.hard
                o.soft += c.soft
                o.deferred += c.deferred
                o.held += c.held
            }
            return o
        }
    }

    static let repo = SampleBackfillTests.repo

    /// Writes the generated month as a rotated pair (`mail.log.1`, `mail.log`) and returns the paths, the whole
    /// log's path and the expectations.
    static func generate(in dir: URL, megabytes: Double = 1.5, days: Int = 30) throws -> (
        whole: String, family: [String], expected: Expected
    ) {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let whole = dir.appendingPathComponent("month.log").path
        let expect = dir.appendingPathComponent("expect.json").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", repo.appendingPathComponent("scripts/gen-postfix-log.py").path, String(megabytes), "11",
            "--days", String(days), "--hosts", "mx1,mx2", "--campaigns", "4", "--expect", expect,
        ]
        #expect(FileManager.default.createFile(atPath: whole, contents: nil))
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: whole))
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "scripts/gen-postfix-log.py failed (python3 needed)")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: expect)))

        // The same lines as a rotated family, split mid-stream: other files (other fingerprints), same outcomes.
        let lines = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n")
        let older = dir.appendingPathComponent("mail.log.1").path
        let live = dir.appendingPathComponent("mail.log").path
        let cut = lines.count * 2 / 5
        try (lines[..<cut].joined(separator: "\n") + "\n").write(toFile: older, atomically: true, encoding: .utf8)
        try (lines[cut...].joined(separator: "\n") + "\n").write(toFile: live, atomically: true, encoding: .utf8)
        // Year-less syslog times take their year from the file's time: keep it in the generated month's year.
        let december = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
        for path in [whole, older, live] {
            try FileManager.default.setAttributes([.modificationDate: december], ofItemAtPath: path)
        }
        return (whole, [older, live], expected)
    }

    static func backfill(_ inputs: [String], state: String) throws -> BackfillSummary {
        var config = SampleBackfillTests.config(state: state)
        config.general.hostName = "mx"
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let runner = BackfillRunner(
            pipeline: pipeline, db: try StateDB(path: state), sink: .localStore, timeZone: .utc, maxLineLength: 1 << 20)
        return try runner.run(inputs: inputs, emit: { _ in })
    }

    static func same(_ a: DeliverabilityReport.Outcomes, _ b: DeliverabilityReport.Outcomes) -> Bool {
        a.delivered == b.delivered && a.hard == b.hard && a.soft == b.soft && a.deferred == b.deferred
            && a.held == b.held
    }

    /// Midnight UTC of a `YYYY-MM-DD` day.
    static func day(_ text: String) throws -> Date {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return try #require(f.date(from: text))
    }

    @Test func aGeneratedMonthGivesTheGeneratorsFiguresAndReReadingChangesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (whole, family, expected) = try Self.generate(in: dir)
        let state = dir.appendingPathComponent("state.db").path

        _ = try Self.backfill([whole], state: state)
        let db = try StateDB(path: state)
        let first = try db.deliverabilityReport(ReportSelection())
        let all = expected.sum()
        #expect(all.delivered > 500 && all.hard > 0 && all.held > 0 && all.deferred > 0)
        #expect(Self.same(first.totals, all), "report \(first.totals) expected \(all)")

        // Again, and the same lines as another (rotated) pair of files: nothing changes.
        _ = try Self.backfill([whole], state: state)
        let reread = try Self.backfill(family, state: state)
        #expect(reread.lines > 0)
        let again = try db.deliverabilityReport(ReportSelection())
        #expect(again.totals == first.totals)
        #expect(again.domains == first.domains)
        #expect(try db.outcomeCounts() == (try db.outcomeCounts()))

        // Per MTA host: the syslog host of each line is its identity, whatever general.host_name says.
        #expect(Set(first.hosts.keys) == Set(expected.cells.map(\.host)))
        for (host, got) in first.hosts {
            #expect(Self.same(got, expected.sum { $0.host == host }), "\(host)")
        }

        // Per domain: outcomes and rate; the ranking by rate.
        for d in Set(expected.cells.map(\.domain)) {
            let want = expected.sum { $0.domain == d }
            let got = try #require(first.domains.first { $0.domain == d })
            #expect(Self.same(got.outcomes, want), "\(d): report \(got.outcomes) expected \(want)")
            #expect(got.bounceRate == Double(want.hard + want.soft) / Double(want.delivered + want.hard + want.soft))
        }
        let domainTotals = Dictionary(
            uniqueKeysWithValues: Set(expected.cells.map(\.domain)).map { d in (d, expected.sum { $0.domain == d }) })
        let byRate = domainTotals.filter { $0.value.volume >= 50 && $0.value.bounces > 0 }.sorted { a, b in
            let ra = a.value.bounceRate ?? 0
            let rb = b.value.bounceRate ?? 0
            return ra != rb ? ra > rb : a.key < b.key
        }.map(\.key)
        #expect(first.topByRate == byRate)
        // Per day (the rate chart's points) for the charted domains.
        for p in first.dailyByDomain {
            #expect(
                Self.same(p.outcomes, expected.sum { $0.domain == p.domain && $0.day == p.day }), "\(p.domain) \(p.day)"
            )
        }
        // Sender-fault holds per provider.
        for h in first.senderFaultHolds {
            #expect(h.count == expected.sum { $0.domain == h.domain }.held, "\(h.domain)")
        }
        #expect(first.senderFaultHolds.reduce(0) { $0 + $1.count } == all.held)
        // Reasons: the generator's userunknown and mailboxfull; its blocklist refusal is Sisimai's blocked.
        let reasons = first.reasons.reduce(into: [String: Int]()) { $0[$1.reason, default: 0] += $1.count }
        #expect(reasons["userunknown"] == expected.reasons["userunknown"])
        #expect(reasons["mailboxfull"] == expected.reasons["mailboxfull"])
        #expect((reasons["blocked"] ?? 0) + (reasons["badreputation"] ?? 0) == expected.reasons["blocked"])
        #expect(reasons.values.reduce(0, +) == all.hard + all.soft)

        // The spike guard's trip, recorded with the batch that saw it, once however often the log is read.
        let trips = first.spikeGuard.filter { $0.kind == "guard_tripped" }
        #expect(Set(trips.map(\.subject)) == Set(expected.guard_trips))
        #expect(trips.count == expected.guard_trips.count)
        #expect(again.spikeGuard == first.spikeGuard)

        // --since/--until, --domain, --campaign.
        let since = try Self.day("2026-11-10")
        let until = try Self.day("2026-11-20")
        let window = try db.deliverabilityReport(ReportSelection(since: since, until: until))
        #expect(Self.same(window.totals, expected.sum { $0.day >= "2026-11-10" && $0.day < "2026-11-20" }))
        #expect(window.days.first == "2026-11-10" && window.days.last == "2026-11-19")
        let campaign = try #require(expected.cells.first?.campaign)
        let one = try db.deliverabilityReport(ReportSelection(domain: "outlook.example", campaign: campaign))
        #expect(Self.same(one.totals, expected.sum { $0.domain == "outlook.example" && $0.campaign == campaign }))
        #expect(one.reasons.reduce(0) { $0 + $1.count } == one.totals.hard + one.totals.soft)

        // The CSV's rows add up to the same totals.
        let rows = try db.dailyOutcomeRows(ReportSelection())
        #expect(rows.reduce(0) { $0 + $1.outcomes.delivered } == all.delivered)
    }

    @Test func theSamplesGiveTheirExpectedHardSoftAndHeldCounts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-report-s-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        let logs = ["postfix-mail.log", "exim-mainlog"].map { Self.repo.appendingPathComponent("samples/\($0)").path }
        let expected =
            try SampleBackfillTests.expectations("postfix.expect.tsv")
            + SampleBackfillTests.expectations("exim.expect.tsv")
        let bounced = expected.filter { $0.outcome != "none" }
        for _ in 0..<2 { _ = try Self.backfill(logs, state: state) }
        let report = try StateDB(path: state).deliverabilityReport(ReportSelection())
        #expect(report.totals.hard == bounced.filter { $0.type == "hard" }.count)
        #expect(report.totals.soft == bounced.filter { $0.type == "soft" }.count)
        #expect(report.totals.held == bounced.filter { $0.action == "hold" }.count)
        // No delivery: the lab's MTAs hand every accepted message to a loopback relay (`queued as`), which the
        // tracker follows as a content-filter hop, not a delivery (docs/tracking.md).
        #expect(report.reasons.reduce(0) { $0 + $1.count } == bounced.count)
    }
}
