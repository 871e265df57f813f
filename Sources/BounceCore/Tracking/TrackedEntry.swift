/// A tracked message's state with the tracker's bookkeeping for the state database beside it.
///
/// The flags are not part of the state: they are not persisted, and the state's own equality (which
/// decides whether a content-filter child changed) does not see them.
struct TrackedMessage: Sendable, Equatable {
    var state: MessageState
    var flags: EntryFlags = []
}

/// A recent attempt (``MessageTracker``'s `~d:` / `~h:` rows) with its bookkeeping: only ``EntryFlags/dirty``.
struct TrackedAttempt: Sendable, Equatable {
    var attempt: StoredAttempt
    var flags: EntryFlags = []
}

/// What the next ``MessageTracker/drainChanges()`` owes an entry.
struct EntryFlags: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    /// Changed since the last drain: its key is listed for the drain, which writes its row.
    static let dirty = EntryFlags(rawValue: 1)
    /// Created since the last drain and not written since: dropping it needs no deletion, its row was never
    /// written. Most messages of a backfill begin and end inside one batch, and their deletions were most
    /// of the batch's SQL statements. Always with ``dirty`` (a new entry is changed), so the drain that
    /// clears one clears both.
    static let unsaved = EntryFlags(rawValue: 2)
}
