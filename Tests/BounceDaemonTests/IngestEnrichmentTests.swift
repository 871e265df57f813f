import BounceClassifier
import BounceCore
import BounceSources
import BounceStore
import Foundation
import Logging
import Testing

@testable import BounceDaemon

/// `run`'s ingest loop as the later reader of a bounce stored without its listmonk UUIDs: the merge is
/// counted in `bouncetail_uuid_enrichments_total`.
@Suite struct IngestEnrichmentTests {
    /// The Postfix sample cut just before its first bounce line, the bounced address, and a state database
    /// holding what a reader of the second part alone stored (the bounce without UUIDs).
    struct Setup {
        let dir: URL
        let state: String
        let lines: [Substring]
        let email: String
    }

    static func setUp(sink: Batch.Sink) throws -> Setup {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let state = dir.appendingPathComponent("state.db").path
        let text = try String(
            contentsOf: SampleBackfillTests.repo.appendingPathComponent("samples/postfix-mail.log"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        let split = try #require(lines.firstIndex { $0.contains("status=bounced") })
        let email = try #require(lines[split].split(separator: "<").dropFirst().first?.split(separator: ">").first)
        let tail = dir.appendingPathComponent("tail.log").path
        try (lines[split...].joined(separator: "\n") + "\n").write(toFile: tail, atomically: true, encoding: .utf8)
        let config = SampleBackfillTests.config(state: state)
        let runner = BackfillRunner(
            pipeline: PipelineFactory.make(config, patterns: try PipelineFactory.loadPatterns(config)),
            db: try StateDB(path: state), sink: sink, timeZone: .utc, maxLineLength: 1 << 20)
        #expect(try runner.run(inputs: [tail], emit: { _ in }).newEvents > 0)
        return Setup(dir: dir, state: state, lines: lines, email: String(email))
    }

    /// Feeds the whole sample (headers included) to a fresh ingest loop as one file batch; returns /metrics.
    static func ingestWholeSample(_ s: Setup, sink: SinkKind) throws -> String {
        var config = SampleBackfillTests.config(state: s.state)
        config.sink.kind = sink
        let (metrics, registry) = MetricsBootstrap.isolated()
        let context = DaemonShell.Context(
            metrics: metrics, health: HealthRegistry(metrics: metrics), notifier: SystemdNotifier(enabled: false))
        let classifier = Classifier(set: try PipelineFactory.loadPatterns(config))
        let loop = IngestLoop(
            config: config, db: try StateDB(path: s.state),
            patterns: ReloadCoordinator(name: "pattern set", initial: classifier, loader: { classifier }),
            context: context, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), wake: nil)
        var offset: Int64 = 0
        let lines = s.lines.map { line -> FileLine in
            offset += Int64(line.utf8.count + 1)
            return FileLine(bytes: Array(line.utf8), endOffset: offset)
        }
        let identity = FileIdentity(head: Array(s.lines[0].utf8))
        loop.handle(
            DaemonInput.file(
                source: "mail.log",
                batch: FileBatch(
                    path: s.dir.appendingPathComponent("mail.log").path, lines: lines,
                    position: FilePosition(identity: identity, offset: offset))))
        return registry.emitToString()
    }

    @Test func theLocalStoreBounceGainsItsUUIDsAndTheMergeIsCounted() throws {
        let s = try Self.setUp(sink: .localStore)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        #expect(try StateDB(path: s.state).storedBounces().first { $0.email == s.email }?.subscriberUUID == "")

        let text = try Self.ingestWholeSample(s, sink: .sqlite)
        #expect(text.contains(#"bouncetail_uuid_enrichments_total{result="enriched"}"#))
        #expect(!text.contains(#"result="too_late""#))
        let expected = try SampleBackfillTests.expectations("postfix.expect.tsv").first { $0.email == s.email }
        #expect(
            try StateDB(path: s.state).storedBounces().first { $0.email == s.email }?.subscriberUUID
                == expected?.subscriber)
    }

    @Test func aBounceDeliveredWithoutItsUUIDsIsCountedTooLate() throws {
        let s = try Self.setUp(sink: .outbox)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let db = try StateDB(path: s.state)
        let due = try db.claimDue(limit: 1000)
        try db.markSent(due.map(\.id), status: 200)
        let before = try db.list(OutboxQuery(states: [.sent])).first { $0.email == s.email }

        let text = try Self.ingestWholeSample(s, sink: .webhook)
        #expect(text.contains(#"bouncetail_uuid_enrichments_total{result="too_late"}"#))
        let after = try db.list(OutboxQuery(states: [.sent])).first { $0.email == s.email }
        #expect(before != nil && after?.body == before?.body)
        #expect(try db.status().pending == 0)
    }
}
