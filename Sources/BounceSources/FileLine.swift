import BounceCore

/// One complete line read from a file.
public struct FileLine: Sendable, Hashable {
    /// The line's bytes, without its newline.
    public var bytes: [UInt8]
    /// The decompressed offset just past this line's newline: where a reader resumes after it.
    public var endOffset: Int64

    /// A line.
    public init(bytes: [UInt8], endOffset: Int64) {
        self.bytes = bytes
        self.endOffset = endOffset
    }
}

/// Lines read from one file in one go, and the position to commit once they are processed.
///
/// Every batch names one file (one identity). Commit ``position`` in the same transaction as what
/// the lines produced; after a restart, reading resumes there. A batch may hold no lines when only
/// the position moved (a skipped over-long line, or a drained file marked complete).
public struct FileBatch: Sendable, Hashable {
    /// The path the bytes were read through (a rotated file keeps the name it had when opened).
    public var path: String
    /// The lines, in file order.
    public var lines: [FileLine]
    /// The position after the last line (identity + offset): commit this.
    public var position: FilePosition

    /// A batch.
    public init(path: String, lines: [FileLine], position: FilePosition) {
        self.path = path
        self.lines = lines
        self.position = position
    }

    /// The position after line `index` (identity + that line's end offset).
    public func position(after index: Int) -> FilePosition {
        FilePosition(identity: position.identity, offset: lines[index].endOffset)
    }
}
