import CoreMetrics

/// The metrics facade: every counter and gauge bouncetail updates, made through one swift-metrics
/// factory. Hot paths should ask once for their handle (`let lines = metrics.linesRead(source: name)`)
/// and keep it, since each call looks the metric up by name and labels.
///
/// Tests pass their own `PrometheusMetricsFactory` so they do not depend on the process-wide bootstrap.
public struct BounceMetrics: Sendable {
    private let factory: any MetricsFactory

    /// A facade over `factory`, by default the one `MetricsSystem` was bootstrapped with.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    private func counter(_ name: String, _ labels: [(String, String)] = []) -> Counter {
        Counter(label: name, dimensions: labels, factory: factory)
    }

    private func gauge(_ name: String, _ labels: [(String, String)] = []) -> Gauge {
        Gauge(label: name, dimensions: labels, factory: factory)
    }

    // MARK: Sources

    /// Lines read from `source`.
    public func linesRead(source: String) -> Counter { counter(MetricName.linesRead, [("source", source)]) }
    /// Bytes read from `source`.
    public func bytesRead(source: String) -> Counter { counter(MetricName.bytesRead, [("source", source)]) }
    /// Lines from `source` that could not be parsed.
    public func parseFailures(source: String) -> Counter { counter(MetricName.parseFailures, [("source", source)]) }
    /// Records of `kind` (a `RecordKind` raw value).
    public func records(kind: String) -> Counter { counter(MetricName.records, [("kind", kind)]) }
    /// Lines skipped for exceeding `max_line_bytes`.
    public func skippedLongLines(source: String) -> Counter {
        counter(MetricName.skippedLongLines, [("source", source)])
    }
    /// Gaps detected in `source` (must stay 0).
    public func gaps(source: String) -> Counter { counter(MetricName.gaps, [("source", source)]) }

    /// Looks at a mail input.
    public func mailPolls(input: String) -> Counter { counter(MetricName.mailPolls, [("input", input)]) }
    /// Mail input polls that stopped early, by error kind.
    public func mailPollErrors(input: String, error: String) -> Counter {
        counter(MetricName.mailPollErrors, [("input", input), ("error", error)])
    }
    /// Mails committed from a mail input.
    public func mailInputMessages(input: String) -> Counter {
        counter(MetricName.mailInputMessages, [("input", input)])
    }

    /// Journal entries refused by the trust check.
    public func untrustedEntries(source: String) -> Counter {
        counter(MetricName.untrustedEntries, [("source", source)])
    }
    /// Read errors of `source`, by a short error word (`unreadable`, `corrupt_gzip`, `corrupt_entry`).
    public func sourceErrors(source: String, error: String) -> Counter {
        counter(MetricName.sourceErrors, [("source", source), ("error", error)])
    }
    /// Bytes not yet read from `source`.
    public func lagBytes(source: String) -> Gauge { gauge(MetricName.lagBytes, [("source", source)]) }
    /// Seconds behind for `source`.
    public func lagSeconds(source: String) -> Gauge { gauge(MetricName.lagSeconds, [("source", source)]) }
    /// When `source` last gave a line (Unix seconds, wall clock).
    public func sourceLastLine(source: String) -> Gauge { gauge(MetricName.sourceLastLine, [("source", source)]) }
    /// Free bytes on the state database's filesystem.
    public var diskFree: Gauge { gauge(MetricName.diskFree) }
    /// The configured minimum free space.
    public var diskMinFree: Gauge { gauge(MetricName.diskMinFree) }
    /// Seconds since `source`'s position was committed.
    public func checkpointAge(source: String) -> Gauge { gauge(MetricName.checkpointAge, [("source", source)]) }

    /// 1 while a file source has no file to read, else 0.
    public func sourceMissing(source: String) -> Gauge { gauge(MetricName.sourceMissing, [("source", source)]) }

    // MARK: Events

    /// Events by classification.
    public func events(reason: String, type: String, fault: String, action: String) -> Counter {
        counter(MetricName.events, [("reason", reason), ("type", type), ("fault", fault), ("action", action)])
    }
    /// Held sender-fault bounces by reason and remote domain.
    public func heldSenderFault(reason: String, remoteDomain: String) -> Counter {
        counter(MetricName.heldSenderFaults, [("reason", reason), ("remote_domain", remoteDomain)])
    }
    /// Hard bounces the spike guard held, by Sisimai reason.
    public func guardHeld(reason: String) -> Counter { counter(MetricName.guardHeld, [("reason", reason)]) }
    /// Recipient domains the spike guard is holding hard bounces for.
    public var guardTrippedDomains: Gauge { gauge(MetricName.guardTrippedDomains) }
    /// Malformed listmonk UUID headers (`campaign` or `subscriber`).
    public func malformedUUID(header: String) -> Counter { counter(MetricName.malformedUUIDs, [("header", header)]) }
    /// Known bounces read again with listmonk UUIDs the stored one lacked, by `result`: `enriched` (merged),
    /// `too_late` (already delivered without them), `conflict` (disagreed with the stored ones, which were kept).
    public func uuidEnrichments(result: String) -> Counter {
        counter(MetricName.uuidEnrichments, [("result", result)])
    }

    // MARK: Mail

    /// The counter a state-database mail counter (`count.mail.<name>`, kept by `ingest-mail`) is exported as;
    /// nil for a name that is not exported.
    public func mailCounter(_ name: String) -> Counter? {
        switch name {
        case "mails": counter(MetricName.mailMessages)
        case "unparsed": counter(MetricName.mailUnparsed)
        case "held_unmatched": counter(MetricName.mailHeldUnmatched)
        case "joined": counter(MetricName.mailJoined)
        case "unmatched_released": counter(MetricName.mailUnmatchedReleased)
        case "tempfails": counter(MetricName.mailTempfails)
        default:
            name.hasPrefix("records.") ? counter(MetricName.mailRecords, [("kind", String(name.dropFirst(8)))]) : nil
        }
    }

    // MARK: Outbox and delivery

    /// Pending events.
    public var outboxPending: Gauge { gauge(MetricName.outboxPending) }
    /// Held events.
    public var outboxHeld: Gauge { gauge(MetricName.outboxHeld) }
    /// Delivered events.
    public var outboxSent: Counter { counter(MetricName.outboxSent) }
    /// Dead letters.
    public var outboxDead: Gauge { gauge(MetricName.outboxDead) }
    /// Age of the oldest pending event, seconds.
    public var outboxOldestPendingAge: Gauge { gauge(MetricName.outboxOldestPendingAge) }
    /// listmonk answers by status (`"200"`, `"400"`, ..., `"error"`, `"timeout"`).
    public func httpResponses(status: String) -> Counter { counter(MetricName.httpResponses, [("status", status)]) }
    /// 1 while the dispatcher is paused.
    public var dispatcherPaused: Gauge { gauge(MetricName.dispatcherPaused) }

    // MARK: Daemon

    /// Messages in the tracker.
    public var trackerMessages: Gauge { gauge(MetricName.trackerMessages) }
    /// Messages the tracker dropped before their end, by `cause`: `cap` (`state_max_messages`) or `age`
    /// (`state_max_age`).
    public func trackerEvicted(cause: String) -> Counter { counter(MetricName.trackerEvicted, [("cause", cause)]) }
    /// Pattern reloads by result (`accepted`, `refused`).
    public func patternReloads(result: String) -> Counter { counter(MetricName.patternReloads, [("result", result)]) }
    /// 1 when healthy.
    public var healthy: Gauge { gauge(MetricName.healthy) }
}
