import BounceClassifier
import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceDaemon

/// A state database written by the release before hosts were read (main at ad2773d: every key carried
/// `general.host_name` as written), with messages in flight, then today's code over the rest of the same
/// logs: every bounce exactly once, none lost, and the in-flight messages keep what they learned.
///
/// The old release backfilled the first part of each sample as the rotated file of its family (`mail.log.1`,
/// `mainlog.1`); the logs then rotated, and the rest of each sample is the live file today's code reads.
/// The fixture and how it was made: `Tests/Fixtures/upgrade-ad2773d/`, `scripts/make-upgrade-fixture.sh`
/// (which sets the cuts below).
@Suite struct UpgradeFromMainTests {
    static let repo = SampleBackfillTests.repo
    static let fixture = repo.appendingPathComponent("Tests/Fixtures/upgrade-ad2773d/state.db").path
    /// The logs' mtime when the fixture was made (the year of Postfix's year-less timestamps).
    static let mtime = Date(timeIntervalSince1970: 1_795_737_600)  // 2026-11-27T00:00:00Z
    static let cuts = [("postfix-mail.log", "mail.log", 110), ("exim-mainlog", "mainlog", 90)]

    static func config(state: String) -> BounceTailConfig {
        var c = SampleBackfillTests.config(state: state)
        c.general.hostName = "Mail.Example.org"
        // The lines say `mail`: with no machine names, `mail` is this machine only through `host_name`.
        c.hosts.machineNames = []
        return c
    }

    static func lines(_ sample: String) throws -> [Substring] {
        let text = try String(contentsOf: repo.appendingPathComponent("samples/\(sample)"), encoding: .utf8)
        return text.split(separator: "\n")
    }

    static func write(_ lines: some Collection<Substring>, to path: String) throws {
        try (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).write(
            toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path)
    }

    static func backfill(_ inputs: [String], state: String) throws -> BackfillSummary {
        let config = config(state: state)
        let pipeline = PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config))
        let runner = BackfillRunner(
            pipeline: pipeline, db: try StateDB(path: state), sink: .localStore, timeZone: .utc,
            maxLineLength: 1 << 20)
        return try runner.run(inputs: inputs, emit: { _ in })
    }

    @Test func theRestOfTheLogsAfterAnUpgradeSendNothingTwiceAndLoseNothing() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bt-upgrade-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        try fm.copyItem(atPath: Self.fixture, toPath: state)

        // What the old release left: bounces and in-flight messages, all under "Mail.Example.org".
        let before = try StateDB(path: state)
        let oldInFlight = try before.allTrackerState().map(\.key).filter {
            $0.hasPrefix("Mail.Example.org|") && !$0.contains("|~")
        }
        let oldStored = try before.storedBounces()
        let oldHeld = try before.status().held
        #expect(!oldStored.isEmpty, "the fixture has no bounce")
        #expect(oldStored.allSatisfy { $0.meta.contains(#""host":"Mail.Example.org""#) })

        // The family after the rotation: the part the old release read, and the rest.
        var inputs: [String] = []
        var finishedAfterCut = 0
        for (sample, name, cut) in Self.cuts {
            let all = try Self.lines(sample)
            let rotated = dir.appendingPathComponent(name + ".1").path
            let live = dir.appendingPathComponent(name).path
            try Self.write(all[..<cut], to: rotated)
            try Self.write(all[cut...], to: live)
            inputs += [rotated, live]
            // In-flight messages whose final line is only in the rest: their join needs the restored state.
            for key in oldInFlight {
                let id = String(key.split(separator: "|")[2])
                if all[cut...].contains(where: {
                    $0.contains(id) && ($0.contains("status=bounced") || $0.contains(" ** "))
                }) {
                    finishedAfterCut += 1
                }
            }
        }
        #expect(finishedAfterCut > 0, "no message in flight at the cut bounces after it: the test would prove nothing")

        let expected =
            try SampleBackfillTests.expectations("postfix.expect.tsv")
            + SampleBackfillTests.expectations("exim.expect.tsv")
        let bounced = expected.filter { $0.outcome != "none" }
        let forwarded = bounced.filter { $0.action != "hold" }

        // Today's code: the `.1` files were finished, the live files are new.
        let after = try Self.backfill(inputs, state: state)
        #expect(after.failures == [])
        #expect(after.newEvents == bounced.count - oldStored.count - oldHeld)
        let db = try StateDB(path: state)
        let stored = try db.storedBounces()
        // Nothing twice: one stored bounce per forwarded address.
        #expect(stored.count == forwarded.count)
        #expect(Set(stored.map(\.email)) == Set(forwarded.map(\.email)))
        #expect(try db.status().held == bounced.count - forwarded.count)
        // Nothing lost: every bounce has its subscriber, those whose headers only the old release read too.
        for e in forwarded where !e.subscriber.isEmpty {
            #expect(stored.first { $0.email == e.email }?.subscriberUUID == e.subscriber, "\(e.email)")
        }
        // Everything now carries today's identity.
        #expect(stored.filter { !$0.meta.contains(#""host":"mail""#) }.map(\.email) == [])
        #expect(try db.allTrackerState().map(\.key).filter { !$0.hasPrefix("mail|") } == [])

        // The whole logs read again from their first line (copies whose first line differs, so no stored
        // position matches): every bounce is a known key, nothing new.
        let again = dir.appendingPathComponent("again")
        try fm.createDirectory(at: again, withIntermediateDirectories: true)
        var copies: [String] = []
        for (sample, name, _) in Self.cuts {
            let first: Substring =
                name == "mainlog"
                ? "2026-11-26 17:11:59 Start queue run: pid=1"
                : "Nov 26 17:11:59 mail postfix/anvil[1]: statistics: max connection rate 1/60s for (smtp:127.0.0.1)"
            let copy = again.appendingPathComponent(name).path
            try Self.write([first] + Self.lines(sample), to: copy)
            copies.append(copy)
        }
        let reread = try Self.backfill(copies, state: state)
        #expect(reread.newEvents == 0)
        #expect(try StateDB(path: state).storedBounces().count == forwarded.count)
    }
}
