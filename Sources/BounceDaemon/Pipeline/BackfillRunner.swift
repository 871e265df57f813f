import BounceCore
import BounceSources
import BounceStore
import Foundation

/// What a backfill did, for the summary line and the tests.
public struct BackfillSummary: Sendable, Hashable {
    public var files = 0
    public var skippedFiles = 0
    public var lines = 0
    public var bytes: Int64 = 0
    public var skippedLongLines = 0
    public var events = 0
    public var newEvents = 0
    public var duplicates = 0
    public var held = 0
    /// Of the events found, how many the spike guard held.
    public var guardHeld = 0
    /// Of `duplicates`: stored bounces that gained listmonk UUIDs (or a Message-ID) from this read.
    public var enriched = 0
    /// Of `duplicates`: UUIDs that arrived after their bounce was delivered without them (once per bounce).
    public var enrichTooLate = 0
    /// Of `duplicates`: UUIDs that disagreed with the stored ones, which were kept (once per bounce).
    public var enrichConflicts = 0
    /// One line per too-late or conflicting UUID (what arrived and for which bounce), the first
    /// ``enrichmentNoticeLimit`` of them: a first backfill after a long `run` may have one per bounce.
    public var enrichmentNotices: [String] = []
    /// How many notices the summary keeps; the counts above say how many there were.
    public static let enrichmentNoticeLimit = 20
    public var failures: [String] = []
    public var missing: [String] = []
    public var interrupted = false
    public init() {}
}

/// Progress, reported after each batch.
public struct BackfillProgress: Sendable {
    public var path: String
    public var bytes: Int64
    public var lines: Int
    public var events: Int
}

/// Reads logs once, oldest first, through the pipeline, committing each batch's position, tracker state
/// and events in one transaction (or, for a dry run, handing the events out and writing nothing).
public final class BackfillRunner {
    private let pipeline: EventPipeline
    private let db: StateDB?
    private let sink: Batch.Sink
    private let timeZone: SourceTimeZone
    private let maxLineLength: Int

    /// - Parameters:
    ///   - db: the state database; nil for a dry run (no positions, no tracker state, nothing written).
    ///   - sink: where committed events go (the outbox, or the local store).
    public init(pipeline: EventPipeline, db: StateDB?, sink: Batch.Sink, timeZone: SourceTimeZone, maxLineLength: Int) {
        self.pipeline = pipeline
        self.db = db
        self.sink = sink
        self.timeZone = timeZone
        self.maxLineLength = maxLineLength
    }

    /// Runs the backfill of `inputs`.
    /// - Parameters:
    ///   - emit: receives the events of a dry run (after supersession holds are applied, in log order),
    ///     and, with a database, the events that were new in each committed batch.
    ///   - progress: called after each batch.
    ///   - shouldStop: polled between batches (SIGINT/SIGTERM): the batch read so far is committed first.
    public func run(
        inputs: [String], emit: ([BounceEvent]) -> Void, progress: (BackfillProgress) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> BackfillSummary {
        var summary = BackfillSummary()
        var known: [FilePosition] = []
        if let db {
            known = try db.positions().compactMap(FilePositionCoding.decode)
            // A state row this binary cannot read is dropped with the message: it only loses the
            // join for one in-flight message, never a committed bounce.
            try pipeline.restoreState(from: db) { key, error in
                summary.failures.append("tracker state \(key) ignored: \(error)")
            }
        }
        var config = BackfillReader.Configuration()
        config.maxLineLength = maxLineLength
        // Larger than the follower's batches: each commit rewrites every message and recent attempt the
        // batch touched, and a message that begins and ends inside one batch is never written at all.
        // 16k lines (about 2.5 MB of log) still commit well under a second apart, so SIGINT stays prompt.
        config.maxBatchLines = Self.batchLines
        config.maxBatchBytes = Self.batchBytes
        var reader = BackfillReader(inputs: inputs, knownPositions: known, configuration: config)
        // A live file's stored position may come from `run` started at its end (`start_at = "end"`): the bytes
        // before it were never read. So the live member of each family is read from its start; what was
        // already recorded is dropped by the dedup key. (Rotated members keep their positions: `run` reads a
        // rotated file to its end before leaving it.)
        let live = reader.plan.filter { $0.isLive && $0.startOffset > 0 }.compactMap(\.identity)
        if !live.isEmpty {
            let kept = known.filter { k in !live.contains { $0.sameContent(as: k.identity) } }
            reader = BackfillReader(inputs: inputs, knownPositions: kept, configuration: config)
        }
        summary.missing = reader.missing
        summary.files = reader.plan.filter { $0.skip == nil }.count
        summary.skippedFiles = reader.plan.count - summary.files

        var parserPath = ""
        var parser = LineParser()
        var dryRunEvents: [BounceEvent] = []
        var deliveries: [SuccessfulDelivery] = []
        while let batch = reader.next() {
            if batch.path != parserPath {
                parserPath = batch.path
                parser = LineParser(
                    options: LineParserOptions(timeZone: timeZone, referenceTime: Self.modificationTime(batch.path)))
            }
            var events: [BounceEvent] = []
            batch.forEachLine { raw, _ in
                pipeline.ingest(line: raw, parsed: parser.parse(raw), into: &events)
            }
            // Age the tracker on the log's own clock: deferred-too-long and eviction as a live run would.
            pipeline.tick(at: pipeline.tracker.clock, into: &events)
            summary.events += events.count
            let newDeliveries = pipeline.drainDeliveries()
            if let db {
                let result = try pipeline.commitBackfillBatch(
                    events, position: FilePositionCoding.encode(batch.position), deliveries: newDeliveries, to: db,
                    sink: sink)
                summary.add(result)
                if !events.isEmpty { emit(events) }
            } else {
                dryRunEvents += events
                deliveries += newDeliveries
            }
            summary.lines = reader.lines
            summary.bytes = reader.bytes
            progress(
                BackfillProgress(path: batch.path, bytes: reader.bytes, lines: reader.lines, events: summary.events))
            if shouldStop() {
                summary.interrupted = true
                break
            }
        }
        if db == nil {
            _ = Supersession.holdSuperseded(&dryRunEvents, deliveries: deliveries)
            summary.held = dryRunEvents.filter { $0.meta.action == .hold }.count
            emit(dryRunEvents)
        }
        summary.guardHeld = pipeline.stats.guardHeld
        summary.skippedLongLines = reader.skippedLongLines
        summary.failures += reader.failures.map { "\($0)" }
        return summary
    }

    /// Lines per committed batch.
    static let batchLines = 16_384
    /// Bytes read per committed batch, at most (about).
    static let batchBytes = 4 << 20

    /// The file's modification time, the reference for year-less syslog timestamps.
    static func modificationTime(_ path: String) -> LogTime? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return LogTime(seconds: Int64(st.st_mtim.tv_sec), micros: Int64(st.st_mtim.tv_nsec / 1000))
    }
}
