import BounceCore
import Foundation

/// How ``StateDB`` opens and uses its file.
public struct StateDBOptions: Sendable {
    /// SQLite's `synchronous` setting in WAL mode.
    public enum Synchronous: String, Sendable {
        /// fsync at every commit: a commit that returned survives a power cut. The default; see
        /// docs/design/2026-11-26-state-database.md for why NORMAL is not enough here.
        case full = "FULL"
        /// fsync only at checkpoints: a power cut may drop the last commits (never a process crash).
        case normal = "NORMAL"
    }

    /// How long to wait for another process's lock before failing with a "locked" error. Default 5 s.
    public var busyTimeoutMilliseconds: Int32 = 5_000
    public var synchronous: Synchronous = .full
    /// The clock for every stored time (enqueued_at, next_attempt_at, lease expiry, retention).
    public var clock: StateClock = { Date() }
    /// SQLite's page cache for the connection, in KiB (`PRAGMA cache_size = -N`); nil: SQLite's default
    /// (2 MiB). A backfill's batches insert thousands of random keys (dedup and outcome keys) into tables that
    /// outgrow the default: pages were spilled mid-transaction and read back from the file.
    public var cacheKiB: Int?
    /// WAL pages after which a commit checkpoints (`PRAGMA wal_autocheckpoint`); nil: SQLite's 1000. A
    /// backfill batch dirties more than that, so with the default every commit also checkpointed. Either way
    /// each commit is durable when it returns (``synchronous``); this only moves when pages are copied back.
    public var walAutocheckpointPages: Int?
    /// Whether closing the last connection copies the WAL back into the database (SQLite's default). A
    /// one-shot writer (`ingest-mail`, once per mail) turns it off: the copy and its two syncs, and
    /// re-creating the WAL file (a directory sync) at the next open, were most of its wall time, while
    /// its commit is synced either way.
    public var checkpointOnClose = true
    /// Rows of `outcome_deltas` (outcome counts appended per batch, not yet added to `outcome_counts`) beyond which
    /// each commit folds the oldest tenth of this many into `outcome_counts`: about the most a report sums besides
    /// the folded counts. The daemon's 50,000 keep a commit's fold to some 5,000 rows (a few milliseconds of its
    /// follow latency); a backfill (``StateDatabase``) raises it, so that its counts are folded later, by the
    /// daemon, in those steps, or pruned by retention unfolded.
    public var outcomeDeltaLimit = 50_000
    /// Create the parent directory (mode 0700) when it is missing.
    public var createParentDirectory = true
    /// Encodes an event as the webhook body stored in the outbox. The default is `JSONEncoder`
    /// with sorted keys; the daemon plugs in the event's own webhook encoding.
    public var bodyEncoder: @Sendable (BounceEvent) throws -> [UInt8] = StateDBOptions.defaultBodyEncoder

    public init() {}

    /// `JSONEncoder` with sorted keys and unescaped slashes.
    public static let defaultBodyEncoder: @Sendable (BounceEvent) throws -> [UInt8] = { event in
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(event))
    }
}
