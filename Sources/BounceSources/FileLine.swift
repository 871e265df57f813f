import BounceCore

/// One complete line read from a file (an owned copy; see ``FileBatch`` for the allocation-free form).
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
///
/// The lines share one buffer (no allocation per line): hand them to the parser with
/// ``withLine(_:_:)`` or ``forEachLine(_:)``; ``lines`` makes owned copies for convenience.
public struct FileBatch: Sendable, Hashable {
    /// The path the bytes were read through (a rotated file keeps the name it had when opened).
    public var path: String
    /// The position after the last line (identity + offset): commit this.
    public var position: FilePosition
    /// Every line's bytes, back to back, without newlines.
    public private(set) var storage: [UInt8]
    /// Where each line ends in ``storage`` (its start is the previous line's end).
    private var ends: [Int]
    /// Each line's end offset in the file (just past its newline).
    public private(set) var endOffsets: [Int64]

    /// An empty batch at `position`.
    public init(path: String, position: FilePosition) {
        self.path = path
        self.position = position
        storage = []
        ends = []
        endOffsets = []
    }

    /// A batch of owned lines.
    public init(path: String, lines: [FileLine], position: FilePosition) {
        self.init(path: path, position: position)
        for line in lines { line.bytes.withUnsafeBytes { append($0, endOffset: line.endOffset) } }
    }

    /// Number of lines.
    public var count: Int { ends.count }

    /// Makes room for `bytes` of text in `lines` lines, so that filling a batch does not grow (copy) its
    /// buffers step by step.
    mutating func reserveCapacity(bytes: Int, lines: Int) {
        storage.reserveCapacity(bytes)
        ends.reserveCapacity(lines)
        endOffsets.reserveCapacity(lines)
    }

    /// Appends a line.
    mutating func append(_ bytes: UnsafeRawBufferPointer, endOffset: Int64) {
        storage.append(contentsOf: bytes)
        ends.append(storage.count)
        endOffsets.append(endOffset)
    }

    /// Appends a line made of two pieces (a buffered start and the rest).
    mutating func append(_ head: [UInt8], _ rest: UnsafeRawBufferPointer, endOffset: Int64) {
        storage.append(contentsOf: head)
        storage.append(contentsOf: rest)
        ends.append(storage.count)
        endOffsets.append(endOffset)
    }

    /// The bytes of line `index`.
    public func bytes(of index: Int) -> ArraySlice<UInt8> {
        storage[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    /// Calls `body` with line `index`'s bytes, valid only inside the call.
    public func withLine<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[(index == 0 ? 0 : ends[index - 1])..<ends[index]]))
        }
    }

    /// Calls `body` with every line's bytes (valid only inside the call) and its end offset, in order.
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int64) throws -> Void) rethrows {
        try storage.withUnsafeBytes { all in
            var start = 0
            for i in 0..<ends.count {
                try body(UnsafeRawBufferPointer(rebasing: all[start..<ends[i]]), endOffsets[i])
                start = ends[i]
            }
        }
    }

    /// Owned copies of the lines.
    public var lines: [FileLine] {
        (0..<count).map { FileLine(bytes: Array(bytes(of: $0)), endOffset: endOffsets[$0]) }
    }

    /// The position after line `index` (identity + that line's end offset).
    public func position(after index: Int) -> FilePosition {
        FilePosition(identity: position.identity, offset: endOffsets[index])
    }
}
