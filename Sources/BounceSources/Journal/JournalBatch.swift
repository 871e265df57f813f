/// What the journal thread hands the consumer: the entries kept since the previous batch, and the
/// position after the last entry *scanned*.
///
/// Commit ``position`` with whatever the entries produced, in one transaction, even when
/// ``entries`` is empty: entries dropped by the selection still move the position, so a sparse
/// selection never means re-reading a large stretch of journal after a restart.
public struct JournalBatch: Sendable, Hashable {
    /// The kept entries, in journal order.
    public var entries: [JournalEntry]
    /// Where to resume after this batch: the last entry scanned (kept or not).
    public var position: JournalPosition
    /// Entries scanned for this batch, including those the identifier filter dropped.
    public var scanned: Int
    /// Corrupt or unreadable entries skipped while scanning this batch (including entries whose
    /// MESSAGE is missing: sd-journal reports a damaged data object as an absent field).
    public var skippedCorrupt: Int
    /// Entries refused by the trust check while scanning this batch, by who sent them: the
    /// consumer counts them (`bouncetail_untrusted_entries_total`) and warns, rate-limited.
    public var untrusted: [JournalProvenance: Int]

    /// How many entries the trust check refused in this batch.
    public var untrustedCount: Int { untrusted.values.reduce(0, +) }

    public init(
        entries: [JournalEntry], position: JournalPosition, scanned: Int, skippedCorrupt: Int = 0,
        untrusted: [JournalProvenance: Int] = [:]
    ) {
        self.entries = entries
        self.position = position
        self.scanned = scanned
        self.skippedCorrupt = skippedCorrupt
        self.untrusted = untrusted
    }
}
