import BounceClassifier
import BounceCore
import BounceSources
import BounceStore
import Foundation
import Logging
import Testing

@testable import BounceDaemon

/// The spike guard in `run`'s ingest loop: held rows in the outbox, one warning at the trip and one info
/// line at the release, and the metrics.
@Suite struct SpikeGuardIngestTests {
    /// Keeps every log record; the lock makes the handler safe to share (swift-log needs Sendable).
    final class Capture: @unchecked Sendable {
        private let lock = NSLock()
        private var records: [(Logger.Level, String)] = []
        func append(_ level: Logger.Level, _ message: String) {
            lock.lock()
            defer { lock.unlock() }
            records.append((level, message))
        }
        var all: [(Logger.Level, String)] {
            lock.lock()
            defer { lock.unlock() }
            return records
        }
    }

    struct CaptureHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.append(event.level, event.message.description)
        }
    }

    static func batch(_ lines: [String], path: String, from offset: inout Int64) -> DaemonInput {
        let fileLines = lines.map { line -> FileLine in
            offset += Int64(line.utf8.count + 1)
            return FileLine(bytes: Array(line.utf8), endOffset: offset)
        }
        return .file(
            source: "mail.log",
            batch: FileBatch(
                path: path, lines: fileLines,
                position: FilePosition(identity: FileIdentity(head: Array("guard-test".utf8)), offset: offset)))
    }

    @Test func aSpikeIsHeldLoggedOnceAndCountedAndTheRecoveryReleasesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-guard-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.db").path
        var config = SpikeGuardPipelineTests.config(state: state)
        config.sink.kind = .webhook
        config.listmonk.url = "http://127.0.0.1:9"
        config.listmonk.username = "bouncetail"
        let (metrics, registry) = MetricsBootstrap.isolated()
        let context = DaemonShell.Context(
            metrics: metrics, health: HealthRegistry(metrics: metrics), notifier: SystemdNotifier(enabled: false))
        let classifier = Classifier(set: try PipelineFactory.loadPatterns(config))
        let capture = Capture()
        let db = try StateDB(path: state)
        let loop = IngestLoop(
            config: config, db: db,
            patterns: ReloadCoordinator(name: "pattern set", initial: classifier, loader: { classifier }),
            context: context, logger: Logger(label: "test", factory: { _ in CaptureHandler(capture: capture) }),
            wake: nil)
        let path = dir.appendingPathComponent("mail.log").path
        var offset: Int64 = 0
        // The incident in batches of 40 lines, as the follower may cut it.
        let incident = SpikeGuardPipelineTests.incidentLog().split(separator: "\n").map(String.init)
        for start in stride(from: 0, to: incident.count, by: 40) {
            loop.handle(Self.batch(Array(incident[start..<min(start + 40, incident.count)]), path: path, from: &offset))
        }
        let held = try db.list(OutboxQuery(states: [.held]))
        #expect(held.count == 6)
        #expect(held.allSatisfy { $0.holdReason == "spike-guard" && $0.email.hasSuffix("@outlook.test") })
        #expect(try db.status().pending == 44)
        var text = registry.emitToString()
        #expect(text.contains(#"bouncetail_guard_held_total{reason="userunknown"} 6"#))
        #expect(text.contains("bouncetail_guard_tripped_domains 1"))

        // Outlook accepts mail again: 40 deliveries at 10:10 bring its hard share below half.
        var recovery: [String] = []
        for i in 0..<40 {
            recovery += SpikeGuardPipelineTests.messageLines(
                "back\(i)@outlook.test", at: 600 + i, delivered: true, id: 1000 + i)
        }
        loop.handle(Self.batch(recovery, path: path, from: &offset))
        text = registry.emitToString()
        #expect(text.contains("bouncetail_guard_tripped_domains 0"))

        let guardLines = capture.all.filter { $0.1.hasPrefix("spike guard") }
        #expect(guardLines.map(\.0) == [.warning, .info])
        #expect(guardLines.first?.1.hasPrefix("spike guard tripped for outlook.test") == true)
        #expect(guardLines.last?.1.contains("6 hard bounce(s) were held while it was tripped") == true)
    }
}
