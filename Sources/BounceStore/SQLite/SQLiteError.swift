import CSQLite

/// A failed SQLite call: the result code, SQLite's own message and the statement that failed.
///
/// Low level; ``StateDB`` turns it into a ``StateDBError`` that names the file and what to do.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...).
    public var code: Int32
    /// The extended result code, when SQLite gave one.
    public var extendedCode: Int32
    /// `sqlite3_errmsg` at the time of the failure.
    public var message: String
    /// The SQL that failed, when a statement was involved.
    public var sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// True for "another connection holds the lock" (`SQLITE_BUSY`, `SQLITE_LOCKED`).
    public var isLocked: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// True for "this file is not a usable database" (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    public var isCorrupt: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }
    /// True for a UNIQUE/CHECK/NOT NULL violation.
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }

    public var description: String {
        let name = String(cString: sqlite3_errstr(extendedCode))
        if let sql { return "SQLite error \(extendedCode) (\(name)): \(message) [in: \(sql)]" }
        return "SQLite error \(extendedCode) (\(name)): \(message)"
    }
}
