import BounceCore
import BounceStore

extension EventPipeline {
    /// Commits a batch of a backfill in one transaction: the source's new position, the tracker changes and
    /// the events, with those superseded by a later successful delivery in the same batch held.
    func commitBackfillBatch(
        _ events: [BounceEvent], position: SourcePosition, deliveries: [SuccessfulDelivery], to db: StateDB,
        sink: Batch.Sink
    ) throws -> BatchResult {
        try db.commit(backfillBatch(events, position: position, deliveries: deliveries, sink: sink))
    }

    /// What ``commitBackfillBatch(_:position:deliveries:to:sink:)`` commits, drained from the pipeline: the
    /// tracker's changes, tallies and guard facts since the last batch. Built on the tracking thread; the
    /// committing stage writes it (``BackfillCommitStage``).
    func backfillBatch(
        _ events: [BounceEvent], position: SourcePosition, deliveries: [SuccessfulDelivery], sink: Batch.Sink
    ) -> Batch {
        var holds = HardBounceGuard.outboxHolds(for: events)
        var probe = events
        if Supersession.holdSuperseded(&probe, deliveries: deliveries) > 0 {
            for e in probe where e.meta.action == .hold && e.meta.holdReason?.contains("superseded") == true {
                holds[e.dedupKey] = "superseded"
            }
        }
        let changes = drainTrackerChanges()
        var batch = Batch(
            positions: [position], trackerUpserts: changes.upserted.map { (key: $0.key, bytes: $0.value) },
            trackerDeletes: Array(changes.deleted), events: events, holds: holds, sink: sink,
            tallies: drainTallies(), facts: guardFactsForCommit())
        // The tallies' hashes and outcome cells here, on the tracking thread: the committing one is the slower.
        batch.prepareTallies()
        return batch
    }
}

extension RuntimeFact {
    /// A spike guard trip or release as a fact, at its log time.
    public init(guardTransition t: HardBounceGuard.Transition) {
        self.init(
            kind: t.kind == .tripped ? .guardTripped : .guardReleased, at: t.time.date, subject: t.domain,
            detail: t.description)
    }
}

extension BackfillSummary {
    /// Adds what one committed batch did.
    mutating func add(_ result: BatchResult) {
        newEvents += result.inserted
        duplicates += result.duplicates
        held += result.held
        enriched += result.enriched
        enrichTooLate += result.enrichTooLate
        enrichConflicts += result.enrichConflicts
        for n in result.enrichmentNotices.prefix(max(0, Self.enrichmentNoticeLimit - enrichmentNotices.count)) {
            enrichmentNotices.append("\(n.email): \(n.detail) (dedup key \(n.dedupKey))")
        }
    }
}
