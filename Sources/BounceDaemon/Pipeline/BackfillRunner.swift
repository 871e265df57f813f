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
    /// Inputs that gave no file (no such path, a pattern that matches nothing, an empty directory).
    public var inputProblems: [BackfillInputProblem] = []
    /// The inputs that gave no file.
    public var missing: [String] { inputProblems.map(\.input) }
    /// Every file planned but not read, with the reason, in reading order.
    public var skips: [BackfillSkipped] = []
    /// Files read that held lines but not one Postfix or Exim line (a `.tsv` caught by a glob), with
    /// the number of lines read from each.
    public var notMailLogs: [BackfillSkipped] = []
    public var interrupted = false
    /// The tracker's counters at the end; of them, the messages in flight dropped before their end
    /// (`evictedByCount`, `evictedByAge`) go in the summary line (``TrackerEvictionWarning/summary(_:)``).
    public var trackerCounters = TrackerCounters()
    public init() {}
}

/// A file a backfill did not read, or read without finding a mail log in it, and why.
public struct BackfillSkipped: Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// Why (`empty file: nothing to read`).
    public var reason: String
    /// True when the file holds something that could not be read (not merely nothing new).
    public var isProblem: Bool
    /// True when it was skipped because an earlier run read it to its end.
    public var alreadyRead: Bool

    /// Creates an entry.
    public init(path: String, reason: String, isProblem: Bool = false, alreadyRead: Bool = false) {
        self.path = path
        self.reason = reason
        self.isProblem = isProblem
        self.alreadyRead = alreadyRead
    }

    /// `PATH: skipped: REASON`.
    public var description: String { "\(path): \(reason)" }
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
        summary.inputProblems = reader.inputProblems
        summary.files = reader.plan.filter { $0.skip == nil }.count
        summary.skippedFiles = reader.plan.count - summary.files
        summary.skips = reader.plan.compactMap { f in
            f.skip.map {
                BackfillSkipped(
                    path: f.path, reason: "skipped, \($0.reason)", isProblem: $0.isProblem, alreadyRead: $0 == .finished
                )
            }
        }
        // Lines per file and how many of them a mail log line: a file without one is named at the end.
        var fileLines: [String: (lines: Int, mail: Int)] = [:]
        var fileOrder: [String] = []

        // Two stages on two cores: a thread reads, inflates and parses (BackfillParseStage); this one
        // tracks, classifies and commits, batch by batch in file order. The hand-off holds a few parsed
        // batches at most, so memory stays bounded however fast the reader is.
        let handOff = BoundedHandOff<BackfillStageItem>(capacity: Self.batchesAhead)
        // The reading thread also classifies bounce lines ahead (into the classifier's memo) and frees the
        // lines this thread is done with (SpentLines): both were this thread's work, the slower one.
        let spent = SpentLines()
        BackfillParseStage.start(
            plan: reader.plan, configuration: config, timeZone: timeZone, formats: pipeline.classifier.set.formats,
            classifier: pipeline.classifier, spent: spent, into: handOff)
        // On every way out (the end, an interruption, a failed commit) the reading thread is stopped and its
        // files closed before this returns.
        defer {
            handOff.close()
            handOff.waitUntilFinished()
        }
        // The third stage: with a database, batches are committed on a thread of its own, in order, while
        // the next ones are tracked (BackfillCommitStage). Started after the reading thread, and finished
        // (every batch handed over committed, the thread gone) on every way out.
        let commits = db.map {
            BackfillCommitStage(db: $0, capacity: Self.commitsAhead, groupLimit: Self.commitGroupLimit)
        }
        defer { _ = try? commits?.finish() }
        func add(_ committed: [BackfillCommitStage.Committed]) {
            for c in committed {
                summary.add(c.result)
                if !c.events.isEmpty { emit(c.events) }
            }
        }
        var totals = BackfillReadTotals()
        var dryRunEvents: [BounceEvent] = []
        var deliveries: [SuccessfulDelivery] = []
        // The previous batch's lines, given back to the reading thread at the next take: this thread no longer
        // reads them then.
        var doneLines: ParsedLines?
        while let item = handOff.take() {
            if let box = doneLines.take() { spent.give(box) }
            guard case .batch(let batch) = item else {
                if case .end(let t) = item { totals = t }
                continue
            }
            totals = batch.totals
            var events: [BounceEvent] = []
            pipeline.ingest(lines: &batch.parsed.lines, into: &events)
            doneLines = batch.parsed
            if fileLines[batch.path] == nil { fileOrder.append(batch.path) }
            fileLines[batch.path, default: (0, 0)].lines += batch.lines.count
            fileLines[batch.path, default: (0, 0)].mail += batch.mailLines
            // Age the tracker on the log's own clock: deferred-too-long and eviction as a live run would.
            pipeline.tick(at: pipeline.tracker.clock, into: &events)
            summary.events += events.count
            let newDeliveries = pipeline.drainDeliveries()
            if let commits {
                let built = pipeline.backfillBatch(
                    events, position: FilePositionCoding.encode(batch.position), deliveries: newDeliveries, sink: sink)
                // False: a commit failed; finish() below throws it.
                guard commits.put(built) else { break }
                add(commits.completed())
            } else {
                dryRunEvents += events
                deliveries += newDeliveries
                // Nothing counts outcomes in a dry run: without this they piled up for the whole run.
                _ = pipeline.drainTallies()
            }
            summary.lines = totals.lines
            summary.bytes = totals.bytes
            progress(
                BackfillProgress(path: batch.path, bytes: totals.bytes, lines: totals.lines, events: summary.events))
            if shouldStop() {
                summary.interrupted = true
                break
            }
        }
        // The last batches' lines (a few MB of Strings) are freed now, while the committing thread still
        // commits the batches queued for it, rather than after it: that wait is the end of the run.
        doneLines = nil
        spent.drain()
        if let commits { add(try commits.finish()) }
        if db == nil {
            _ = Supersession.holdSuperseded(&dryRunEvents, deliveries: deliveries)
            summary.held = dryRunEvents.filter { $0.meta.action == .hold }.count
            emit(dryRunEvents)
        }
        for path in fileOrder {
            guard let c = fileLines[path], c.lines > 0, c.mail == 0 else { continue }
            summary.notMailLogs.append(
                BackfillSkipped(
                    path: path,
                    reason: "read, but none of its \(c.lines) line(s) is a Postfix or Exim log line: not a mail log?"))
        }
        summary.guardHeld = pipeline.stats.guardHeld
        summary.trackerCounters = pipeline.tracker.counters
        summary.skippedLongLines = totals.skippedLongLines
        summary.failures += totals.failures.map { "\($0)" }
        return summary
    }

    /// Lines per committed batch.
    static let batchLines = 16_384
    /// Bytes read per committed batch, at most (about).
    static let batchBytes = 4 << 20
    /// Parsed batches the reading thread may have ready ahead of the tracking one.
    static let batchesAhead = 2
    /// Tracked batches that may wait for the committing thread.
    static let commitsAhead = 16
    /// Batches committed together in one transaction, at most (what waits when the committer gets to it).
    static let commitGroupLimit = 16

    /// The file's modification time, the reference for year-less syslog timestamps.
    static func modificationTime(_ path: String) -> LogTime? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return LogTime(seconds: Int64(st.st_mtim.tv_sec), micros: Int64(st.st_mtim.tv_nsec / 1000))
    }
}
