/// Inserts rows into one table with one statement per ``rowsPerStatement`` rows (`INSERT … VALUES (…), (…), …`),
/// the texts bound without SQLite's copy (``SQLiteStatement/run(_:scratch:)``). A statement's own cost (its
/// start, a cursor opened and closed per tree, its reset) is then paid once per that many rows: a backfill's
/// commit appends one sent-index row per delivery and one outcome-count row per cell.
///
/// Inside a transaction only (a failed statement keeps the rows before the failure until the transaction rolls
/// back). Rows wait in memory until ``flush()`` (or until a statement's worth is there): flush before reading the table
/// in the same transaction, and before the transaction commits.
final class RowAppender {
    let rowsPerStatement: Int
    private let connection: SQLiteConnection
    private let head: String
    private let row: String
    private let columns: Int
    private var values: [SQLValue] = []
    private var scratch: [UInt8] = []
    private var full: SQLiteStatement?

    /// - Parameters:
    ///   - table: the table's name.
    ///   - columns: the columns each row gives values for, in order.
    ///   - rowsPerStatement: rows per full statement, rounded down to a power of two.
    init(_ connection: SQLiteConnection, into table: String, columns: [String], rowsPerStatement: Int = 64) {
        self.connection = connection
        // OR FAIL: a statement that fails keeps the rows it inserted before the failure (the caller's transaction
        // rolls back as a whole), so SQLite keeps no statement journal to undo it alone. With the default (ABORT)
        // a multi-row statement wrote every page it changed to that journal first, a temporary file past 64 KiB.
        self.head = "INSERT OR FAIL INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        self.row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        self.columns = columns.count
        var rows = 1
        while rows * 2 <= rowsPerStatement { rows *= 2 }
        self.rowsPerStatement = rows
        values.reserveCapacity(self.columns * self.rowsPerStatement)
    }

    /// Adds the next value of the current row.
    func add(_ value: SQLValue) {
        values.append(value)
    }

    /// Ends the current row (exactly `columns` values were added since the last); runs a statement when a
    /// statement's worth of rows waits.
    func endRow() throws {
        precondition(
            values.count % columns == 0, "RowAppender: a row of \(values.count % columns) values, not \(columns)")
        if values.count == columns * rowsPerStatement { try flush() }
    }

    /// Inserts the rows that wait: a full statement's worth at a time, the rest in statements of 32, 16, … 1 rows
    /// (its binary digits), so that a connection prepares at most seven statements per table however many rows
    /// its batches leave over (a prepared statement of 64 rows holds some tens of KB: the daemon's RSS).
    func flush() throws {
        var start = 0
        while start < values.count {
            let left = (values.count - start) / columns
            var rows = rowsPerStatement
            while rows > left { rows >>= 1 }
            let end = start + rows * columns
            try statement(rows: rows).run(values[start..<end], scratch: &scratch)
            start = end
        }
        values.removeAll(keepingCapacity: true)
    }

    private func statement(rows: Int) throws -> SQLiteStatement {
        if rows == rowsPerStatement, let full { return full }
        // Prepared once per connection (the connection's cache keeps it).
        let statement = try connection.cached(head + Array(repeating: row, count: rows).joined(separator: ", "))
        if rows == rowsPerStatement { full = statement }
        return statement
    }
}
