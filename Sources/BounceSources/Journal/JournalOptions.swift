import BounceCore

/// Which journal to open.
public enum JournalLocation: Sendable, Hashable {
    /// The local machine's journal (system and user journals, as `journalctl` without options).
    case local
    /// Journal files in a directory (and its machine-id subdirectories), e.g. `/var/log/journal`
    /// or a directory filled by `systemd-journal-remote`; new files appearing there are followed.
    case directory(String)
    /// These journal files only.
    case files([String])
}

/// Where reading starts.
public enum JournalStartPoint: Sendable, Hashable {
    /// After the last entry present now: only new entries (a first start in follow mode).
    case tail
    /// At the oldest entry present.
    case head
    /// At the first entry whose realtime timestamp is at or after this time (`--since`).
    case since(LogTime)
    /// After a stored position; if its cursor no longer names an entry, from its realtime
    /// timestamp minus ``JournalOptions/resumeOverlapMicroseconds`` (reported, see ``JournalStartReport``).
    case after(JournalPosition)
}

/// Follow the journal for new entries, or read to its current end and finish.
public enum JournalMode: Sendable, Hashable {
    case follow
    case backfill
}

/// Everything a ``JournalSource`` needs.
public struct JournalOptions: Sendable, Hashable {
    public var location: JournalLocation
    public var selection: JournalSelection
    /// Which selected entries are believed (see ``JournalTrust``); nil believes every selected entry,
    /// which only tests and tools reading journals of their own making should do.
    public var trust: JournalTrust?
    public var start: JournalStartPoint
    public var mode: JournalMode
    /// A batch is handed over when it holds this many kept entries...
    public var maxEntriesPerBatch: Int
    /// ...or this many scanned ones (kept or filtered), or when the reader reached the end.
    public var maxScannedPerBatch: Int
    /// Batches handed over but not yet taken by the consumer before the reader waits (back-pressure).
    public var maxPendingBatches: Int
    /// How far before a lost cursor's timestamp to resume; the dedup key drops the repeats.
    public var resumeOverlapMicroseconds: Int64
    /// The longest the reader sleeps in follow mode without looking at the journal (a safety net;
    /// inotify wakes it on appends, rotation and new files).
    public var maxWaitMilliseconds: Int32

    public init(
        location: JournalLocation = .local, selection: JournalSelection = .mail, trust: JournalTrust? = nil,
        start: JournalStartPoint = .tail,
        mode: JournalMode = .follow, maxEntriesPerBatch: Int = 512, maxScannedPerBatch: Int = 8192,
        maxPendingBatches: Int = 4, resumeOverlapMicroseconds: Int64 = 300_000_000, maxWaitMilliseconds: Int32 = 5_000
    ) {
        self.location = location
        self.selection = selection
        self.trust = trust
        self.start = start
        self.mode = mode
        self.maxEntriesPerBatch = max(1, maxEntriesPerBatch)
        self.maxScannedPerBatch = max(1, maxScannedPerBatch)
        self.maxPendingBatches = max(1, maxPendingBatches)
        self.resumeOverlapMicroseconds = max(0, resumeOverlapMicroseconds)
        self.maxWaitMilliseconds = max(1, maxWaitMilliseconds)
    }
}
