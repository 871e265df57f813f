/// Running totals of a ``JournalSource``, for metrics and the end-of-backfill summary.
public struct JournalCounters: Sendable, Hashable {
    /// Entries read from the journal (after sd-journal matches), kept or not.
    public var scanned = 0
    /// Entries the selection kept (all handed over, unless the source stopped with a batch pending).
    public var kept = 0
    /// Corrupt or unreadable entries skipped.
    public var skippedCorrupt = 0
    /// Entries dropped by the identifier filter.
    public var filtered = 0
    /// Selected entries refused by the trust check (their sender is not the MTA).
    public var untrusted = 0
    /// Batches handed to the consumer.
    public var batches = 0
    /// Times sd-journal reported files added or removed (rotation, vacuum, a new file).
    public var invalidations = 0

    public init() {}
}
