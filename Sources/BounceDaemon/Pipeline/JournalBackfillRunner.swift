import BounceCore
import BounceSources
import BounceStore

/// `bouncetail backfill --journal`: reads the journal from a point to its current end through the
/// pipeline, committing each batch's cursor with its events (the same row `run` resumes from).
public final class JournalBackfillRunner {
    private let pipeline: EventPipeline
    private let db: StateDB?
    private let sink: Batch.Sink
    private var parser: JournalLineParser
    /// Entries the trust check refused in the last ``run(config:since:emit:shouldStop:)``, by sender.
    public private(set) var untrusted: [JournalProvenance: Int] = [:]
    /// Start-up warnings of the trust check (unknown users, trusted units absent from the journal).
    public private(set) var trustWarnings: [String] = []

    public init(pipeline: EventPipeline, db: StateDB?, sink: Batch.Sink, host: String, timeZone: SourceTimeZone) {
        self.pipeline = pipeline
        self.db = db
        self.sink = sink
        self.parser = JournalLineParser(host: host, timeZone: timeZone)
    }

    /// Reads `options` (mode backfill) to the end. With a database and no explicit `since`, resumes after the
    /// stored cursor; returns the start report (e.g. a cursor that was gone) and the summary.
    public func run(
        config: JournalSourceConfig, since: LogTime?, emit: ([BounceEvent]) -> Void, shouldStop: () -> Bool = { false }
    ) async throws -> (report: JournalStartReport, summary: BackfillSummary) {
        var summary = BackfillSummary()
        var start: JournalStartPoint = since.map { .since($0) } ?? .head
        if let db {
            try pipeline.restoreState(from: db) { key, error in
                summary.failures.append("tracker state \(key) ignored: \(error)")
            }
            if since == nil, let stored = try db.position(of: "journal"), let cursor = stored.journalCursor,
                let rt = stored.journalRealtime
            {
                start = .after(JournalPosition(cursor: cursor, realtime: LogTime(microseconds: rt)))
            }
        }
        // The same trust check as `run`: a journal directory holds whatever anyone wrote to it.
        let trust = JournalTrustResolution(config.trust)
        let source = try JournalSource(
            options: JournalDaemonOptions.make(config, start: start, mode: .backfill, trust: trust.trust))
        let report = try await source.start()
        trustWarnings = trust.warnings(unitsNotFound: source.unitsNotFound)
        untrusted = [:]
        var dryRunEvents: [BounceEvent] = []
        var deliveries: [SuccessfulDelivery] = []
        for try await batch in source.batches {
            var events: [BounceEvent] = []
            for entry in batch.entries { pipeline.ingest(parser.parse(entry), into: &events) }
            // Age the tracker on the journal's own clock after each batch, as the file backfill does,
            // so that the same log read from a file and from the journal gives the same events.
            pipeline.tick(at: pipeline.tracker.clock, into: &events)
            summary.lines += batch.scanned
            summary.events += events.count
            summary.skippedLongLines += batch.skippedCorrupt
            for (sender, count) in batch.untrusted { untrusted[sender, default: 0] += count }
            let newDeliveries = pipeline.drainDeliveries()
            if let db {
                let position = SourcePosition(
                    sourceID: "journal", journalCursor: batch.position.cursor,
                    journalRealtime: batch.position.realtime.microseconds)
                let result = try pipeline.commitBackfillBatch(
                    events, position: position, deliveries: newDeliveries, to: db, sink: sink)
                summary.add(result)
                if !events.isEmpty { emit(events) }
            } else {
                dryRunEvents += events
                deliveries += newDeliveries
            }
            if shouldStop() {
                summary.interrupted = true
                source.stop()
                break
            }
        }
        if db == nil {
            _ = Supersession.holdSuperseded(&dryRunEvents, deliveries: deliveries)
            summary.held = dryRunEvents.filter { $0.meta.action == .hold }.count
            emit(dryRunEvents)
        }
        summary.guardHeld = pipeline.stats.guardHeld
        summary.trackerCounters = pipeline.tracker.counters
        return (report, summary)
    }
}
