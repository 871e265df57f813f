import BounceClassifier
import BounceCore
import BounceSources
import BounceStore
import Foundation
import Logging

/// The one owner of the pipeline in `bouncetail run`: parses each batch, runs it through the pipeline
/// and commits position, tracker state and events in one transaction (architecture invariant 1).
final class IngestLoop {
    private let config: BounceTailConfig
    private let db: StateDB
    private let patterns: ReloadCoordinator<Classifier>
    private let context: DaemonShell.Context
    private let logger: Logger
    private let wake: WakeSignal?
    private let pipeline: EventPipeline
    private let sink: Batch.Sink
    private var parsers: [String: LineParser] = [:]
    private var journalParser: JournalLineParser
    private let timeZone: SourceTimeZone
    private var lastRetention = Date.distantPast
    private var failingSources: Set<String> = []
    private var untrustedWarning = UntrustedEntryWarning()
    private var evictionWarning: TrackerEvictionWarning

    init(
        config: BounceTailConfig, db: StateDB, patterns: ReloadCoordinator<Classifier>, context: DaemonShell.Context,
        logger: Logger, wake: WakeSignal?
    ) {
        self.wake = wake
        self.config = config
        self.db = db
        self.patterns = patterns
        self.context = context
        self.logger = logger
        pipeline = EventPipeline(
            options: PipelineFactory.options(config), classifier: patterns.current, now: { LogTime(date: Date()) })
        sink = config.sink.kind == .sqlite ? .localStore : .outbox
        timeZone = PipelineFactory.timeZone(config.general.timeZone)
        journalParser = JournalLineParser(host: config.general.hostName, timeZone: timeZone)
        evictionWarning = TrackerEvictionWarning(config.tracker)
    }

    func restoreTrackerState() throws {
        let rehosted = try pipeline.restoreState(from: db) { key, error in
            logger.warning("tracker state ignored", metadata: ["key": "\(key)", "error": "\(error)"])
        }
        if !rehosted.renamed.isEmpty {
            logger.notice(
                "stored bounce identities moved to today's host names",
                metadata: [
                    "hosts": "\(rehosted.renamed.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" })",
                    "rows": "\(rehosted.rows)",
                ])
        }
    }

    func handle(_ input: DaemonInput) {
        let current = patterns.current
        if current !== pipeline.classifier { pipeline.classifier = current }
        var events: [BounceEvent] = []
        var positions: [SourcePosition] = []
        switch input {
        case .file(let source, let batch):
            // The lines go to the pipeline only: a sent line's relay and reply are never read (`sentDetail`).
            var parser =
                parsers[batch.path]
                ?? LineParser(
                    options: LineParserOptions(
                        timeZone: timeZone, referenceTime: LogTime(date: Date()), sentDetail: false))
            var bytes = 0
            batch.forEachLine { raw, _ in
                bytes += raw.count + 1
                pipeline.ingest(line: raw, parsed: parser.parse(raw), into: &events)
            }
            parsers[batch.path] = parser
            context.metrics.linesRead(source: source).increment(by: batch.count)
            context.metrics.bytesRead(source: source).increment(by: bytes)
            positions.append(FilePositionCoding.encode(batch.position))
            if batch.count > 0 { context.metrics.sourceLastLine(source: source).record(Date().timeIntervalSince1970) }
            markHealthy(source)
        case .journal(let batch):
            for entry in batch.entries {
                pipeline.ingest(journalParser.parse(entry), into: &events)
            }
            if batch.skippedCorrupt > 0 {
                context.metrics.parseFailures(source: "journal").increment(by: batch.skippedCorrupt)
            }
            context.metrics.linesRead(source: "journal").increment(by: batch.entries.count)
            if !batch.untrusted.isEmpty {
                context.metrics.untrustedEntries(source: "journal").increment(by: batch.untrustedCount)
                if let warning = untrustedWarning.add(batch.untrusted, now: .now) { logger.warning("\(warning)") }
            }
            if !batch.entries.isEmpty {
                context.metrics.sourceLastLine(source: "journal").record(Date().timeIntervalSince1970)
            }
            positions.append(
                SourcePosition(
                    sourceID: "journal", journalCursor: batch.position.cursor,
                    journalRealtime: batch.position.realtime.microseconds))
            markHealthy("journal")
        case .sourceFailed(let source, let message):
            logger.error("source failed", metadata: ["source": "\(source)", "error": "\(message)"])
            context.health.setUnhealthy("source:\(source)", reason: message)
            failingSources.insert(source)
            return
        case .tick:
            pipeline.tick(at: LogTime(date: Date()), into: &events)
            if let warning = untrustedWarning.due(now: .now) { logger.warning("\(warning)") }
            periodic()
        }
        commit(positions: positions, events: events)
    }

    /// Commits whatever the tracker changed without a position (at shutdown).
    func flush() throws {
        try db.commit(trackerOnlyBatch())
    }

    private func trackerOnlyBatch() -> Batch {
        let changes = pipeline.drainTrackerChanges()
        return Batch(
            trackerUpserts: changes.upserted.map { (key: $0.key, bytes: $0.value) },
            trackerDeletes: Array(changes.deleted), sink: sink)
    }

    /// Reading waits while the state database's disk is below the watermark: loudly (log, /healthz),
    /// never by dropping lines (they stay in the log files and the journal).
    private func waitForDiskSpace() {
        let minimum = UInt64(max(0, config.outbox.diskLowWatermark.bytes))
        var told = false
        context.metrics.diskMinFree.record(Double(minimum))
        while let mark = try? db.diskWatermark(minimumBytes: minimum), recordFree(mark), mark.isLow {
            if !told {
                let message = mark.message ?? "low disk space"
                logger.error("reading paused: \(message)")
                context.health.setUnhealthy("disk", reason: message)
                told = true
            }
            Thread.sleep(forTimeInterval: 10)
        }
        if told {
            logger.notice("disk space is back above the watermark; reading resumes")
            context.health.setHealthy("disk")
        }
    }

    /// The free-space gauge; true, so it can sit in the watermark loop's condition.
    private func recordFree(_ mark: DiskWatermark) -> Bool {
        switch mark {
        case .ok(let free), .low(let free, _, _): context.metrics.diskFree.record(Double(free))
        }
        return true
    }

    private func commit(positions: [SourcePosition], events: [BounceEvent]) {
        waitForDiskSpace()
        countRecords()
        reportTracker()
        var batch = trackerOnlyBatch()
        batch.positions = positions
        batch.events = events
        batch.holds = HardBounceGuard.outboxHolds(for: events)
        _ = pipeline.drainDeliveries()
        batch.tallies = pipeline.drainTallies()
        batch.facts = reportGuard()
        // A failed commit must not advance anything: the state database stays as it was, the batch is
        // retried from the stored position after a restart. Keep trying, loudly, rather than drop it.
        var attempt = 0
        while true {
            do {
                let result = try db.commit(batch)
                if result.inserted > 0 { wake?.signal() }
                countEnrichments(result)
                for e in events {
                    context.metrics.events(
                        reason: e.meta.reason, type: e.type.rawValue, fault: e.meta.fault.rawValue,
                        action: e.meta.action.rawValue
                    ).increment()
                    if HardBounceGuard.isGuardHold(e) { context.metrics.guardHeld(reason: e.meta.reason).increment() }
                    if e.meta.action == .hold && e.meta.fault == .sender {
                        context.metrics.heldSenderFault(
                            reason: e.meta.reason,
                            remoteDomain: e.email.split(separator: "@").last.map(String.init) ?? ""
                        ).increment()
                    }
                    if e.meta.action == .forward || result.inserted > 0 {
                        logger.info(
                            "bounce",
                            metadata: [
                                "email": "\(e.email)", "reason": "\(e.meta.reason)", "type": "\(e.type.rawValue)",
                                "action": "\(e.meta.action.rawValue)", "rule": "\(e.meta.rule)",
                            ])
                    }
                }
                context.health.setHealthy("state-db")
                return
            } catch {
                attempt += 1
                context.health.setUnhealthy("state-db", reason: "\(error)")
                logger.error(
                    "cannot commit to the state database; retrying",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                Thread.sleep(forTimeInterval: min(30, Double(attempt)))
            }
        }
    }

    /// Spike guard trips (warning) and releases (info), once each, and the tripped-domains gauge; returns them as
    /// run-time facts for the batch.
    private func reportGuard() -> [RuntimeFact] {
        let transitions = pipeline.drainGuardTransitions()
        for t in transitions {
            let metadata: Logger.Metadata = ["domain": "\(t.domain)", "hard": "\(t.hard)", "outcomes": "\(t.outcomes)"]
            switch t.kind {
            case .tripped: logger.warning("\(t)", metadata: metadata)
            case .released: logger.info("\(t)", metadata: metadata)
            }
        }
        context.metrics.guardTrippedDomains.record(pipeline.guardTrippedDomains)
        return transitions.map(RuntimeFact.init(guardTransition:))
    }

    /// A known bounce read again with UUIDs it lacked: counted; a late or conflicting one also logged (once
    /// per bounce: the store reports each key once).
    private func countEnrichments(_ result: BatchResult) {
        for (name, n) in [
            ("enriched", result.enriched), ("too_late", result.enrichTooLate), ("conflict", result.enrichConflicts),
        ] where n > 0 {
            context.metrics.uuidEnrichments(result: name).increment(by: n)
        }
        if result.joined > 0 || result.unmatchedReleased > 0 {
            // The mail's event stands for these bounces; counted in the database (bouncetail_mail_* counters).
            logger.info(
                "log bounces joined the event their report mail already made",
                metadata: ["joined": "\(result.joined)", "released_unmatched": "\(result.unmatchedReleased)"])
        }
        for notice in result.enrichmentNotices {
            let message: Logger.Message =
                notice.kind == .tooLate
                ? "listmonk UUID arrived too late for a stored bounce" : "listmonk UUIDs disagree for a stored bounce"
            logger.info(
                message,
                metadata: ["email": "\(notice.email)", "detail": "\(notice.detail)", "dedup_key": "\(notice.dedupKey)"])
        }
    }

    private var countedRecords: [RecordKind: Int] = [:]

    /// Records by kind since the last commit, into the counters.
    private func countRecords() {
        for (kind, n) in pipeline.stats.records where n != countedRecords[kind, default: 0] {
            context.metrics.records(kind: kind.rawValue).increment(by: n - countedRecords[kind, default: 0])
            countedRecords[kind] = n
        }
    }

    /// The in-flight gauge, and messages the tracker dropped before their end (cap, age): counted, and logged the
    /// first time and then at most hourly, naming the key to raise.
    private func reportTracker() {
        context.metrics.trackerMessages.record(pipeline.tracker.messageCount)
        for report in evictionWarning.update(pipeline.tracker.counters, metrics: context.metrics, now: .now) {
            let metadata: Logger.Metadata = ["cause": "\(report.cause.rawValue)", "dropped": "\(report.count)"]
            switch report.cause {
            case .cap: logger.warning("\(report.text)", metadata: metadata)
            // Routine where the MTA logs no end for some messages; worth a line, not an alarm.
            case .age: logger.notice("\(report.text)", metadata: metadata)
            }
        }
    }

    private func markHealthy(_ source: String) {
        if failingSources.remove(source) != nil { context.health.setHealthy("source:\(source)") }
    }

    private var mailCounters = MailCounterExport()

    /// Outbox gauges, the mail counters and, hourly, retention.
    private func periodic() {
        if let s = try? db.status() {
            context.metrics.outboxPending.record(s.pending)
            context.metrics.outboxHeld.record(s.held)
            context.metrics.outboxDead.record(s.dead)
            context.metrics.outboxOldestPendingAge.record(s.oldestPendingAge ?? 0)
        }
        // The mail counters, kept in the database by the ingest-mail processes.
        if let counts = try? db.counters(prefix: "mail.") { mailCounters.export(counts, to: context.metrics) }
        if Date().timeIntervalSince(lastRetention) > 3600 {
            lastRetention = Date()
            let age = config.outbox.retention.seconds
            do {
                let pruned = try db.prune(
                    RetentionPolicy(
                        sentAge: age, dedupKeyAge: age, trackerAge: config.tracker.stateMaxAge.seconds, countsAge: age,
                        sentIndexAge: age))
                logger.debug("retention", metadata: ["pruned": "\(pruned)"])
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
