import BounceCore
import CSQLite
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state database: source positions, tracker state, the outbox (with dead letters), the local
/// `bounces` store, the delivery lease and a key/value table, in one SQLite file in WAL mode.
///
/// One `StateDB` is one SQLite connection. Every method takes an internal lock, runs to completion
/// and returns, so the class may be shared between tasks; calls block the calling thread for the
/// duration of the SQL (and the fsync of a commit). The intended shape is one `StateDB` per role:
/// the reading pipeline owns one, the dispatcher opens its own; SQLite's WAL lets them read
/// concurrently and serialises their writes with the busy timeout.
public final class StateDB: @unchecked Sendable {
    // @unchecked: the only mutable state is `connection` (and SQLite's state behind it), and every
    // access goes through `lock`; the connection is opened NOMUTEX because this lock is the mutex.
    private let lock = NSLock()
    private let connection: SQLiteConnection
    /// The database file.
    public let path: String
    let options: StateDBOptions
    var clock: StateClock { options.clock }

    /// Opens the state database at `path`, creating the file (mode 0600) and its parent directory
    /// (mode 0700) when missing, switching to WAL and applying schema migrations.
    public init(path: String, options: StateDBOptions = StateDBOptions()) throws(StateDBError) {
        self.path = path
        self.options = options
        try Self.prepareFile(path: path, createDirectory: options.createParentDirectory)
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path)
        } catch {
            throw StateDBError.from(error, path: path)
        }
        connection.setBusyTimeout(milliseconds: options.busyTimeoutMilliseconds)
        self.connection = connection
        do {
            // Must precede the first table: incremental auto-vacuum lets retention hand pages back.
            try connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
            let mode = try connection.scalarText("PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw StateDBError(
                    kind: .other, path: path,
                    message: "the state database \(path) could not switch to WAL mode (got \(mode ?? "nothing")): "
                        + "put it on a local filesystem; network filesystems do not support WAL")
            }
            try connection.execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
            if !options.checkpointOnClose { try connection.skipCheckpointOnClose() }
            if let kib = options.cacheKiB { try connection.execute("PRAGMA cache_size = -\(max(kib, 64))") }
            if let pages = options.walAutocheckpointPages {
                try connection.execute("PRAGMA wal_autocheckpoint = \(max(pages, 1))")
            }
            // After a burst the WAL is truncated back to this size at the next checkpoint.
            try connection.execute("PRAGMA journal_size_limit = 67108864")
            _ = try Schema.migrate(connection, path: path, now: Timestamps.micros(options.clock()))
        } catch let error as StateDBError {
            throw error
        } catch let error as SQLiteError {
            throw StateDBError.from(error, path: path, holder: Self.leaseHint(connection))
        } catch {
            throw StateDBError(kind: .other, path: path, message: "opening the state database \(path) failed: \(error)")
        }
    }

    deinit {
        // Without the checkpoint at close, a WAL that no long-lived connection keeps checkpointed (no
        // daemon running) would only grow: each new process rebuilds the WAL index by reading every frame,
        // and a rebuilt index counts no frame as copied back, so SQLite never restarts the log. Past
        // SQLite's own checkpoint size the closing one-shot writer copies it back and truncates it,
        // without waiting for readers (a busy reader leaves it to the next one); once per ~1,000 pages.
        if !options.checkpointOnClose {
            connection.truncateWAL(ifLargerThanPages: options.walAutocheckpointPages ?? 1_000)
        }
    }

    /// The schema version of the open file.
    public var schemaVersion: Int64 {
        get throws(StateDBError) {
            try withConnection { c in try c.scalarInt("SELECT MAX(version) FROM schema_migrations") ?? 0 }
        }
    }

    /// The newest schema version this binary knows.
    public static var supportedSchemaVersion: Int64 { Schema.latestVersion }

    /// Runs `body` with the connection under the lock and maps every failure to a ``StateDBError``.
    @discardableResult
    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws(StateDBError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body(connection)
        } catch let error as StateDBError {
            throw error
        } catch let error as SQLiteError {
            throw StateDBError.from(error, path: path, holder: error.isLocked ? Self.leaseHint(connection) : nil)
        } catch {
            throw StateDBError(
                kind: .encoding, path: path,
                message: "a value for the state database \(path) could not be encoded or decoded: \(error)")
        }
    }

    /// Like ``withConnection(_:)``, inside one `BEGIN IMMEDIATE` transaction.
    @discardableResult
    func inTransaction<T>(_ body: (SQLiteConnection) throws -> T) throws(StateDBError) -> T {
        try withConnection { c in try c.transaction(.immediate) { try body(c) } }
    }

    /// Who holds the delivery lease, as a hint in a "locked" message. WAL lets this read proceed
    /// while another process holds the write lock.
    private static func leaseHint(_ connection: SQLiteConnection) -> String? {
        guard !connection.inTransaction else { return nil }
        let text = try? connection.scalarText(
            "SELECT 'the delivery lease is held by pid ' || pid || ' on ' || host FROM delivery_lease LIMIT 1")
        return text ?? nil
    }

    /// Creates the parent directory and the file with mode 0600 before SQLite sees it, because SQLite
    /// creates files with 0644 (less the umask) and then gives the -wal and -shm files the same mode.
    static func prepareFile(path: String, createDirectory: Bool) throws(StateDBError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                guard createDirectory else {
                    throw StateDBError(
                        kind: .cannotCreateDirectory, path: path,
                        message: "the directory \(directory) for the state database does not exist: create it "
                            + "(owned by the user bouncetail runs as) or choose another state path")
                }
                do {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw StateDBError(
                        kind: .cannotCreateDirectory, path: path,
                        message: "cannot create the directory \(directory) for the state database \(path): "
                            + "\(Self.reason(error)) — create it yourself, owned by the user bouncetail runs as, "
                            + "or choose another state path")
                }
            } else if !isDirectory.boolValue {
                throw StateDBError(
                    kind: .cannotCreateDirectory, path: path,
                    message: "cannot use \(directory) as the directory for the state database \(path): "
                        + "it is a file, not a directory — choose another state path")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            let err = errno
            throw StateDBError(
                kind: .cannotOpen, path: path,
                message: "cannot create or open the state database \(path): \(String(cString: strerror(err))) — "
                    + "check that it is a file and that the user bouncetail runs as may write it and its directory")
        }
        // An existing file readable by others is tightened: it holds subscriber addresses.
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0, info.st_uid == geteuid() {
            _ = fchmod(fd, info.st_mode & 0o700)
        }
        close(fd)
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }

    // MARK: key/value

    /// A value from the key/value table.
    public func value(forKey key: String) throws(StateDBError) -> String? {
        try withConnection { c in try c.scalarText("SELECT value FROM kv WHERE key = ?", [.text(key)]) }
    }

    /// Sets (or with nil, removes) a value in the key/value table.
    public func setValue(_ value: String?, forKey key: String) throws(StateDBError) {
        let now = Timestamps.micros(clock())
        try withConnection { c in
            if let value {
                try c.run(
                    "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) "
                        + "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    [.text(key), .text(value), .int(now)])
            } else {
                try c.run("DELETE FROM kv WHERE key = ?", [.text(key)])
            }
        }
    }
}

extension StateDB {
    /// SQLite's `PRAGMA quick_check`: `["ok"]`, or the problems it found (for a health command).
    public func quickCheck() throws(StateDBError) -> [String] {
        try withConnection { c in
            var lines: [String] = []
            try c.prepare("PRAGMA quick_check").query { lines.append($0.text(0)) }
            return lines
        }
    }
}
