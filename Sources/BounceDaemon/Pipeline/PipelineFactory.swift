import BounceClassifier
import BounceCore
import Foundation

/// Builds the pattern set and the pipeline from the configuration.
public enum PipelineFactory {
    /// Loads the pattern set: `classifier.patterns_dir` when it exists (an installed package), else the
    /// copy built into the binary; then `classifier.override_dir` on top; `forward_sender_faults` applied.
    /// `locate: false` for one-shot commands that never print a rule's line (see `PatternLoader.load`).
    public static func loadPatterns(_ config: BounceTailConfig, locate: Bool = true) throws -> PatternSet {
        let fm = FileManager.default
        let defaults = fm.fileExists(atPath: config.classifier.patternsDir) ? config.classifier.patternsDir : nil
        var set = try PatternLoader.load(
            defaultsDirectory: defaults, overrideDirectory: config.classifier.overrideDir, locate: locate)
        if config.classifier.forwardSenderFaults { set.settings.forwardSenderFault = true }
        return set
    }

    /// The pipeline options the configuration describes; `since`/`until` come from the command line.
    public static func options(_ config: BounceTailConfig, since: LogTime? = nil, until: LogTime? = nil)
        -> PipelineOptions
    {
        let filter = config.tracker.senderFilter
        let tracker = TrackerOptions(
            host: config.general.hostName,
            filterRelays: config.tracker.filterRelays,
            deferredTooLongAfter: config.tracker.deferredMaxAge.map { $0.milliseconds * 1000 },
            maxAge: config.tracker.stateMaxAge.milliseconds * 1000,
            maxMessages: config.tracker.stateMaxMessages,
            recordDeliveries: true,
            senderFilter: filter.isActive
                ? SenderFilter(
                    patterns: filter.addresses + filter.domains.map { "*@" + $0 },
                    requireListmonkHeaders: filter.requireListmonkHeaders)
                : nil,
            hosts: config.hosts.identity(hostName: config.general.hostName),
            recordTallies: true)
        let events = EventBuilderOptions(
            source: config.general.source, holdOlderThan: config.outbox.holdOlderThan.milliseconds * 1000)
        return PipelineOptions(
            tracker: tracker, events: events, since: since, until: until, spikeGuard: config.spikeGuard.options)
    }

    /// The pipeline, with the wall clock for the age hold.
    public static func make(
        _ config: BounceTailConfig, patterns: PatternSet, since: LogTime? = nil, until: LogTime? = nil
    )
        -> EventPipeline
    {
        EventPipeline(
            options: options(config, since: since, until: until), classifier: Classifier(set: patterns),
            now: { LogTime(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)) })
    }

    /// The source time zone the configuration names (`local`, `UTC`, `+02:00`, `Europe/Berlin`).
    public static func timeZone(_ name: String) -> SourceTimeZone {
        SourceTimeZone(parsing: name) ?? .utc
    }
}
