import BounceCore
import BounceStore
import Foundation

/// Opens the state database the way every command and the daemon use it.
public enum StateDatabase {
    /// Opens (creating when needed) `path`, storing each event's webhook body as listmonk will receive it.
    /// - Parameter bulk: for a backfill's large batches: a 64 MiB page cache and a checkpoint every
    ///   16,384 WAL pages (64 MiB, the WAL's size limit) instead of SQLite's 2 MiB and 1,000 pages. The
    ///   same durability (``StateDBOptions/synchronous``); the daemon keeps the defaults (its RSS). And up to
    ///   a million outcome-count rows wait unfolded (``StateDBOptions/outcomeDeltaLimit``, the daemon's 50,000):
    ///   the daemon folds them later in small steps, or retention prunes them.
    /// - Parameter oneShot: for a command that writes and exits (`ingest-mail`, `backfill`): closing leaves
    ///   the WAL to a later checkpoint (``StateDBOptions/checkpointOnClose``); the same durability. The next
    ///   process to open the file reads the WAL's frames to rebuild its index, and its first checkpoint
    ///   (a writer's automatic one, or its own close) copies them back.
    public static func open(_ path: String, bulk: Bool = false, oneShot: Bool = false) throws -> StateDB {
        var options = StateDBOptions()
        options.checkpointOnClose = !oneShot
        options.bodyEncoder = { Array($0.webhookJSON().utf8) }
        if bulk {
            options.cacheKiB = 65_536
            options.walAutocheckpointPages = 16_384
            options.outcomeDeltaLimit = 1_000_000
        }
        return try StateDB(path: path, options: options)
    }
}

extension StateDatabase {
    /// Opens `path` only when it exists: for commands that only look (`outbox status`, `export`), which
    /// must never create an empty database and then report its zeros as "no bounces".
    /// - Parameter origin: where the path came from (`--state`, a line of the configuration, the default),
    ///   for the error.
    public static func openExisting(_ path: String, origin: String) throws -> StateDB {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingStateDatabase(path: path, origin: origin)
        }
        return try open(path)
    }
}

/// A read-only command was pointed at a state database that does not exist.
public struct MissingStateDatabase: Error, Sendable, CustomStringConvertible {
    /// The path looked at.
    public var path: String
    /// Where the path came from: `--state`, `[general] state_db in FILE:LINE`, or the default.
    public var origin: String

    public var description: String {
        "no state database at \(path) (from \(origin)); nothing was recorded there. Check the path, or create it"
            + " with `bouncetail backfill` or `bouncetail run` (commands that only look never create one)"
    }
}
