import BounceClassifier
import BounceCore
import BounceSources
import BounceStore
import Foundation
import Logging

/// `bouncetail run`: follows the configured files and the journal, commits each batch's position,
/// tracker state and events in one transaction, and leaves delivery to the dispatcher.
public final class FollowDaemon: Sendable {
    private let config: BounceTailConfig
    private let db: StateDB
    private let patterns: ReloadCoordinator<Classifier>
    private let logger: Logger
    private let wake: WakeSignal?

    public init(
        config: BounceTailConfig, db: StateDB, patterns: ReloadCoordinator<Classifier>, logger: Logger,
        wake: WakeSignal? = nil
    ) {
        self.wake = wake
        self.config = config
        self.db = db
        self.patterns = patterns
        self.logger = logger
    }

    /// Runs until cancelled (SIGTERM): stops the sources, commits what was read, returns.
    public func run(context: DaemonShell.Context) async throws {
        let channel = InputChannel()
        let known = try db.positions()
        var followers: [FileFollower] = []
        for (i, source) in config.sources.files.enumerated() {
            var fc = FollowConfiguration()
            fc.maxLineLength = Int(source.maxLineBytes.bytes)
            fc.start = source.startAt == .beginning ? .beginning : .end
            fc.safetyPollInterval = source.pollInterval.duration
            let follower = try FileFollower(
                paths: source.paths, knownPositions: known.compactMap(FilePositionCoding.decode), configuration: fc)
            followers.append(follower)
            let name = source.name.isEmpty ? "file\(i)" : source.name
            let metrics = context.metrics
            let log = logger
            let presence = SourcePresence(source: source, name: name, context: context, logger: logger)
            presence.check(force: true)
            Thread.detachNewThread { [follower] in
                // The follower counts gaps and over-long lines itself; publish them (the gap counter
                // must be visible, at 0, from the start) and log its warnings.
                let gaps = metrics.gaps(source: name)
                let skipped = metrics.skippedLongLines(source: name)
                gaps.increment(by: 0)
                skipped.increment(by: 0)
                var seen = FollowCounters()
                while !follower.isStopped {
                    let batch = follower.next(timeout: .seconds(1))
                    presence.check()
                    let now = follower.counters
                    if now.gaps > seen.gaps { gaps.increment(by: now.gaps - seen.gaps) }
                    if now.skippedLongLines > seen.skippedLongLines {
                        skipped.increment(by: now.skippedLongLines - seen.skippedLongLines)
                    }
                    seen = now
                    for warning in follower.takeWarnings() {
                        log.warning("file source", metadata: ["source": "\(name)", "warning": "\(warning)"])
                    }
                    if let batch {
                        channel.send(.file(source: name, batch: batch))
                    }
                }
            }
        }
        var journal: JournalSource?
        var journalTask: Task<Void, Never>?
        if config.sources.journal.enabled {
            let stored = known.first { $0.sourceID == "journal" }
            let start: JournalStartPoint =
                if let cursor = stored?.journalCursor, let rt = stored?.journalRealtime {
                    .after(JournalPosition(cursor: cursor, realtime: LogTime(microseconds: rt)))
                } else { .tail }
            let trust = JournalTrustResolution(config.sources.journal.trust)
            let source = try JournalSource(
                options: JournalDaemonOptions.make(
                    config.sources.journal, start: start, mode: .follow, trust: trust.trust))
            let report = try await source.start()
            logger.notice("\(report)")
            for warning in trust.warnings(unitsNotFound: source.unitsNotFound) { logger.warning("\(warning)") }
            // The metric is visible, at 0, from the start: an alert on its increase needs a first sample.
            context.metrics.untrustedEntries(source: "journal").increment(by: 0)
            journal = source
            journalTask = Task.detached {
                do {
                    for try await batch in source.batches { channel.send(.journal(batch)) }
                } catch {
                    channel.send(.sourceFailed(source: "journal", message: "\(error)"))
                }
            }
        }
        let ingest = IngestLoop(
            config: config, db: db, patterns: patterns, context: context, logger: logger, wake: wake)
        try ingest.restoreTrackerState()
        let ticker = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(30))
                if !Task.isCancelled { channel.send(.tick) }
            }
        }
        let runningFollowers = followers
        let runningJournal = journal
        await withTaskCancellationHandler {
            for await input in channel.stream {
                ingest.handle(input)
                channel.processed()
            }
        } onCancel: {
            for f in runningFollowers { f.stopHandle.stop() }
            runningJournal?.stop()
            channel.finish()
        }
        ticker.cancel()
        journalTask?.cancel()
        try ingest.flush()
    }
}
