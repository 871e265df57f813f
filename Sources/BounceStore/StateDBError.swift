/// Why the state database could not be opened or used, with the file and what to do about it.
public struct StateDBError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The parent directory is missing and could not be created.
        case cannotCreateDirectory
        /// The file could not be created or opened (permissions, a directory in the way, ...).
        case cannotOpen
        /// Another connection held the lock longer than the busy timeout.
        case locked
        /// The file is not an SQLite database or is damaged.
        case corrupt
        /// The file was written by a newer bouncetail with a schema this binary does not know.
        case newerSchema
        /// The filesystem is full.
        case diskFull
        /// The file or its directory is read-only.
        case readOnly
        /// A value could not be encoded or decoded (a bug, or a row written by something else).
        case encoding
        /// Any other SQLite failure.
        case other
    }

    public var kind: Kind
    /// The database file.
    public var path: String
    /// What went wrong and what to do, in words for an operator.
    public var message: String
    /// The underlying SQLite error, if any.
    public var underlying: SQLiteError?

    public init(kind: Kind, path: String, message: String, underlying: SQLiteError? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message) (\(underlying))" }
        return message
    }

    /// Maps a raw SQLite error to one an operator can act on. `holder` names a lease holder, if known.
    static func from(_ error: SQLiteError, path: String, holder: String? = nil) -> StateDBError {
        if error.isLocked {
            let who = holder.map { " (\($0))" } ?? ""
            return StateDBError(
                kind: .locked, path: path,
                message:
                    "the state database \(path) is locked by another process\(who) — is another bouncetail running? "
                    + "Stop it, or raise state.busy_timeout if a backfill and the daemon share the file on purpose",
                underlying: error)
        }
        if error.isCorrupt {
            return StateDBError(
                kind: .corrupt, path: path,
                message: "the state database \(path) is not a database or is corrupt: move it aside; "
                    + "bouncetail will create a new one and backfill can rebuild it",
                underlying: error)
        }
        switch error.code {
        case 13:  // SQLITE_FULL
            return StateDBError(
                kind: .diskFull, path: path,
                message: "the filesystem holding the state database \(path) is full: free space there; "
                    + "nothing committed is lost, reading resumes from the last committed position",
                underlying: error)
        case 8:  // SQLITE_READONLY
            return StateDBError(
                kind: .readOnly, path: path,
                message: "the state database \(path) is read-only: give the user bouncetail runs as write access "
                    + "to the file and its directory (SQLite writes -wal and -shm files beside it)",
                underlying: error)
        case 14:  // SQLITE_CANTOPEN
            return StateDBError(
                kind: .cannotOpen, path: path,
                message: "cannot open the state database \(path): check that the path is a file (not a directory) "
                    + "and that its directory is writable for the user bouncetail runs as",
                underlying: error)
        default:
            return StateDBError(
                kind: .other, path: path,
                message: "the state database \(path) failed: \(error.message)", underlying: error)
        }
    }
}
