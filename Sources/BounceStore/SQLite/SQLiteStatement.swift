import CSQLite

/// One prepared statement. Owned by its ``SQLiteConnection``; not shared across threads.
public final class SQLiteStatement {
    // SQLITE_TRANSIENT does not import (it is a cast macro); -1 as a destructor tells SQLite to copy.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    let handle: OpaquePointer
    /// The SQL text, for error messages.
    public let sql: String
    private unowned let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection.handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw connection.error(rc, sql: sql)
        }
        self.handle = stmt
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears previous bindings and binds `values` to parameters 1...n.
    public func bind(_ values: [SQLValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLValue, at index: Int32) throws(SQLiteError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .int(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .double(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, Self.transient)
        case .blob(let v):
            rc = v.withUnsafeBytes { raw in
                // A zero-length blob must still be a blob, not NULL: SQLite needs a non-nil pointer.
                sqlite3_bind_blob(
                    handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(v.count), Self.transient)
            }
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
    }

    /// Advances one row. True when a row is available, false when done.
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Binds, runs to completion and resets. Returns the number of rows changed.
    @discardableResult
    public func run(_ values: [SQLValue] = []) throws(SQLiteError) -> Int {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() {}
        return Int(sqlite3_changes(connection.handle))
    }

    /// ``run(_:)`` for the hot path: the texts are copied into `scratch` (kept by the caller, so its capacity is
    /// reused) and bound from there without SQLite's own copy (`SQLITE_STATIC`; one `malloc` and `free` per text
    /// less), the bindings cleared before `scratch` is released. Returns the number of rows changed.
    @discardableResult
    public func run(_ values: ArraySlice<SQLValue>, scratch: inout [UInt8]) throws(SQLiteError) -> Int {
        scratch.removeAll(keepingCapacity: true)
        for case .text(let text) in values { scratch.append(contentsOf: text.utf8) }
        // Never empty, so the buffer has an address: an empty text must be bound as a text, not as NULL.
        scratch.append(0)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        return try scratch.withUnsafeBufferPointer { (bytes) throws(SQLiteError) -> Int in
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            let base = UnsafeRawPointer(bytes.baseAddress!)
            var offset = 0
            var index: Int32 = 1
            for value in values {
                if case .text(let text) = value {
                    let count = text.utf8.count
                    let rc = sqlite3_bind_text(
                        handle, index, (base + offset).assumingMemoryBound(to: CChar.self), Int32(count), nil)
                    guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
                    offset += count
                } else {
                    try bind(value, at: index)
                }
                index += 1
            }
            while try step() {}
            return Int(sqlite3_changes(connection.handle))
        }
    }

    /// Binds, then calls `row` for each result row; resets afterwards.
    public func query(_ values: [SQLValue] = [], _ row: (SQLiteStatement) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { try row(self) }
    }

    /// Resets the statement so it can run again (bindings stay).
    public func reset() { sqlite3_reset(handle) }

    // MARK: columns (0-based)

    /// Columns in the result.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// The column as text; "" for NULL.
    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// The column as bytes; empty for NULL.
    public func blob(_ column: Int32) -> [UInt8] {
        guard let p = sqlite3_column_blob(handle, column) else { return [] }
        let n = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }
}
