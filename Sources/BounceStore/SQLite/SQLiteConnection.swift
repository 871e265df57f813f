import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by itself (opened with `SQLITE_OPEN_NOMUTEX`); its owner serialises access.
/// ``StateDB`` does that with a lock.
public final class SQLiteConnection {
    let handle: OpaquePointer
    /// The database file.
    public let path: String
    private var cache: [String: SQLiteStatement] = [:]

    /// How a transaction takes its lock.
    public enum TransactionKind: String, Sendable {
        /// Takes the lock at the first read/write.
        case deferred = "DEFERRED"
        /// Takes the write lock at `BEGIN`, so a writer waits (busy timeout) up front instead of
        /// failing halfway through when it upgrades from read to write.
        case immediate = "IMMEDIATE"
        /// Like immediate; in WAL mode readers still proceed.
        case exclusive = "EXCLUSIVE"
    }

    /// Opens (and with `create`, creates) the database at `path`.
    public init(path: String, readOnly: Bool = false, create: Bool = true) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        self.handle = db
        self.path = path
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Closing this connection, even as the file's last, leaves the WAL as it is instead of copying it
    /// back into the database (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`). Commits stay as durable as before:
    /// a commit is in the WAL, synced, when it returns; the pages are copied back later, by the
    /// checkpoint a commit runs past `wal_autocheckpoint` pages.
    public func skipCheckpointOnClose() throws(SQLiteError) {
        let rc = bouncetail_sqlite3_no_checkpoint_on_close(handle)
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    /// When the WAL file holds more than `pages` pages, copies it back into the database and truncates it
    /// (`SQLITE_CHECKPOINT_TRUNCATE`) without waiting on other connections; a failure (another connection
    /// busy) leaves it for a later call. Nothing committed depends on it.
    public func truncateWAL(ifLargerThanPages pages: Int) {
        var st = stat()
        guard stat(path + "-wal", &st) == 0, let pageSize = try? scalarInt("PRAGMA page_size"), pageSize > 0,
            Int64(st.st_size) > Int64(pages) * (pageSize + 24)
        else { return }
        sqlite3_busy_timeout(handle, 0)
        _ = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
    }

    /// Waits up to `milliseconds` for another connection's lock before failing with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    func error(_ rc: Int32, sql: String? = nil) -> SQLiteError {
        SQLiteError(
            code: rc, extendedCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)),
            sql: sql)
    }

    /// Runs one or more statements without parameters (DDL, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: rc, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A new statement (not cached).
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// A statement kept for reuse; the hot path prepares each SQL text once per connection.
    public func cached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let stmt = cache[sql] { return stmt }
        let stmt = try SQLiteStatement(connection: self, sql: sql)
        cache[sql] = stmt
        return stmt
    }

    /// Runs `sql` with `values` (cached statement) and returns the number of changed rows.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int {
        try cached(sql).run(values)
    }

    /// The first column of the first row as an integer, or nil when there is no row or it is NULL.
    public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        var result: Int64?
        try cached(sql).query(values) { row in
            if result == nil, !row.isNull(0) { result = row.int64(0) }
        }
        return result
    }

    /// The first column of the first row as text, or nil.
    public func scalarText(_ sql: String, _ values: [SQLValue] = []) throws -> String? {
        var result: String?
        var seen = false
        try cached(sql).query(values) { row in
            if !seen { seen = true; result = row.optionalText(0) }
        }
        return result
    }

    /// The rowid of the last successful insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// True while a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // The transaction may already be gone (SQLite rolls back by itself on some errors).
            if inTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }
}
