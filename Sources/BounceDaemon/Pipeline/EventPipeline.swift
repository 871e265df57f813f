import BounceClassifier
import BounceCore

/// How the pipeline turns outcomes into events.
public struct PipelineOptions: Sendable {
    public var tracker: TrackerOptions
    public var events: EventBuilderOptions
    /// Only events whose log time is at or after this are kept (`--since`); earlier lines are still read
    /// so that messages are joined.
    public var since: LogTime?
    /// Only events whose log time is before this are kept (`--until`).
    public var until: LogTime?
    /// The hard-bounce spike guard (`[guard]`); nil: off.
    public var spikeGuard: HardBounceGuardOptions?

    public init(
        tracker: TrackerOptions, events: EventBuilderOptions, since: LogTime? = nil, until: LogTime? = nil,
        spikeGuard: HardBounceGuardOptions? = nil
    ) {
        self.tracker = tracker
        self.events = events
        self.since = since
        self.until = until
        self.spikeGuard = spikeGuard
    }
}

/// What the pipeline saw, for the summary and the metrics.
public struct PipelineStats: Sendable, Hashable {
    public var lines = 0
    /// Lines per record kind (kinds never seen are absent).
    public var records: [RecordKind: Int] {
        var out: [RecordKind: Int] = [:]
        for (i, n) in recordCounts.enumerated() where n > 0 { out[RecordKind.allCases[i]] = n }
        return out
    }
    /// Lines per record kind, in ``RecordKind/allCases`` order: counted per line, where a dictionary keyed
    /// by the kind hashed its raw-value String each time.
    var recordCounts = [Int](repeating: 0, count: RecordKind.allCases.count)
    public var outcomes = 0
    public var events = 0
    /// Events outside `--since`/`--until`.
    public var outsideWindow = 0
    /// Hard bounces the spike guard held (they would have been forwarded).
    public var guardHeld = 0
    public init() {}
}

/// Parsed lines in, bounce events out: track → classify → build.
///
/// One owner, no locking: the backfill loop or the daemon's ingest task. The tracker's state changes
/// are drained by the caller into the same transaction as the events and the source position.
public final class EventPipeline {
    public private(set) var tracker: MessageTracker
    private var builder: EventBuilder
    /// Replaced atomically on SIGHUP by a validated new set.
    public var classifier: Classifier
    public let options: PipelineOptions
    public private(set) var stats = PipelineStats()
    /// The current time, for the age hold; injected so tests and dry runs are deterministic.
    private let now: () -> LogTime
    /// The spike guard and how many of the tracker's pending deliveries it has seen (EventPipeline+Guard).
    var spikeGuard: HardBounceGuard?
    var deliveriesFedToGuard = 0
    /// The log time of the last line fed that had one: where the reader is (the spike guard's "now").
    var lastLineTime: LogTime?
    /// Spike guard transitions a backfill batch committed, until the caller drains them for its summary.
    var committedTransitions: [HardBounceGuard.Transition] = []

    public init(options: PipelineOptions, classifier: Classifier, now: @escaping () -> LogTime) {
        self.options = options
        self.tracker = MessageTracker(options: options.tracker)
        self.builder = EventBuilder(options: options.events)
        self.classifier = classifier
        self.now = now
        self.spikeGuard = options.spikeGuard.map(HardBounceGuard.init(options:))
    }

    /// Feeds one parsed line; appends the events it completes.
    public func ingest(_ line: ParsedLine, into events: inout [BounceEvent]) {
        stats.lines += 1
        stats.recordCounts[line.record.kind.index] += 1
        if let t = line.envelope.time { lastLineTime = t }
        for outcome in tracker.ingest(line) {
            emit(outcome, into: &events)
        }
    }

    /// Feeds one raw line and what the built-in parsers made of it: a line they did not recognise is tried
    /// against the pattern set's extra line formats (`[[format]]`, each behind its literal pre-filter).
    public func ingest(line raw: UnsafeRawBufferPointer, parsed: ParsedLine, into events: inout [BounceEvent]) {
        ingest(Self.applyingFormats(classifier.set.formats, to: parsed, line: raw), into: &events)
    }

    /// What `formats` (a pattern set's `[[format]]`s, in order) make of a line the built-in parsers did not
    /// recognise: the first format's delivery attempt, else `parsed` unchanged. Pure, so a backfill's
    /// reading thread applies it while the pipeline runs on another.
    public static func applyingFormats(_ formats: [LineFormat], to parsed: ParsedLine, line raw: UnsafeRawBufferPointer)
        -> ParsedLine
    {
        guard case .other = parsed.record, !formats.isEmpty else { return parsed }
        let text = String(decoding: raw, as: UTF8.self)
        for format in formats {
            if let attempt = format.attempt(from: text) {
                return ParsedLine(envelope: parsed.envelope, record: .delivery(attempt))
            }
        }
        return parsed
    }

    /// Ages the tracker (deferred-too-long policy, eviction) at `time`; appends the events it completes.
    public func tick(at time: LogTime, into events: inout [BounceEvent]) {
        for outcome in tracker.tick(now: time) {
            emit(outcome, into: &events)
        }
        advanceGuard()
        _ = tracker.evict(olderThan: LogTime(microseconds: time.microseconds - options.tracker.maxAge))
    }

    /// Restores persisted tracker state (at start-up).
    public func restore(key: String, bytes: [UInt8]) throws {
        try tracker.restore(key: key, bytes: bytes)
    }

    /// Tracker state changed since the last call, for the batch commit.
    public func drainTrackerChanges() -> TrackerChanges {
        tracker.drainChanges()
    }

    /// Successful deliveries seen since the last call (for superseding held backfill events).
    public func drainDeliveries() -> [SuccessfulDelivery] {
        feedGuardDeliveries()
        deliveriesFedToGuard = 0
        return tracker.drainDeliveries()
    }

    /// Deliveries and first deferrals since the last call, inside `--since`/`--until` like the events, for the
    /// outcome counts committed with the batch (empty unless the tracker records them).
    public func drainTallies() -> [OutcomeTally] {
        let all = tracker.drainTallies()
        guard options.since != nil || options.until != nil else { return all }
        return all.filter { t in
            if let since = options.since, t.time < since { return false }
            if let until = options.until, !(t.time < until) { return false }
            return true
        }
    }

    /// UUIDs left out of events because listmonk would reject them.
    public var malformedUUIDs: Int { builder.malformedUUIDs }

    private func emit(_ outcome: FinalOutcome, into events: inout [BounceEvent]) {
        stats.outcomes += 1
        if let since = options.since, outcome.time < since {
            stats.outsideWindow += 1
            return
        }
        if let until = options.until, !(outcome.time < until) {
            stats.outsideWindow += 1
            return
        }
        let classification = classifier.classify(outcome.failureEvidence)
        var event = builder.build(outcome, classification: classification, now: now())
        if spikeGuard != nil, applyGuard(to: &event, at: outcome.time) { stats.guardHeld += 1 }
        events.append(event)
        stats.events += 1
    }
}
