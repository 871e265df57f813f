import BounceClassifier
import BounceCore
import BounceSources
import BounceStore
import Foundation
import Logging
import Testing

@testable import BounceDaemon

/// `run`'s ingest loop with journal batches that carry refused entries: every one counted in
/// `bouncetail_untrusted_entries_total`, one warning naming the sender, the next ones held back.
@Suite struct UntrustedIngestTests {
    @Test func refusedEntriesAreCountedAndWarnedAboutOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-untrusted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = SampleBackfillTests.config(state: dir.appendingPathComponent("state.db").path)
        let (metrics, registry) = MetricsBootstrap.isolated()
        let context = DaemonShell.Context(
            metrics: metrics, health: HealthRegistry(metrics: metrics), notifier: SystemdNotifier(enabled: false))
        let classifier = Classifier(set: try PipelineFactory.loadPatterns(config))
        let capture = SpikeGuardIngestTests.Capture()
        let db = try StateDB(path: config.general.stateDB)
        let loop = IngestLoop(
            config: config, db: db,
            patterns: ReloadCoordinator(name: "pattern set", initial: classifier, loader: { classifier }),
            context: context,
            logger: Logger(label: "test", factory: { _ in SpikeGuardIngestTests.CaptureHandler(capture: capture) }),
            wake: nil)
        let forger = JournalProvenance(uid: 65534, comm: "smtp")
        for (n, cursor) in [(3, "c1"), (2, "c2")] {
            loop.handle(
                .journal(
                    JournalBatch(
                        entries: [], position: JournalPosition(cursor: cursor, realtime: LogTime(microseconds: 1)),
                        scanned: n, untrusted: [forger: n])))
        }
        #expect(registry.emitToString().contains(#"bouncetail_untrusted_entries_total{source="journal"} 5"#))
        let warnings = capture.all.filter { $0.0 == .warning && $0.1.contains("claim to be the MTA's") }
        #expect(warnings.count == 1, "the second batch, within the minute, is not warned about again")
        #expect(warnings.first?.1.contains("refused 3 entries") == true)
        #expect(warnings.first?.1.contains("uid=65534 comm=smtp unit=-: 3") == true)
        // The position moved past the refused entries.
        #expect(try db.position(of: "journal")?.journalCursor == "c2")
    }
}
