#if canImport(Glibc)
    import Glibc
#endif

/// Cuts a byte stream into complete lines with bounded memory.
///
/// Bytes after the last newline wait (``pending``) until their newline arrives; a line longer than
/// `maxLineLength` is dropped as it streams past (counted in ``skippedLines``) and the position still
/// moves over it, so memory never exceeds the cap whatever the input.
struct LineSplitter {
    let maxLineLength: Int
    /// Offset of the next byte to be fed.
    private(set) var readOffset: Int64
    /// Offset just past the last complete (or skipped) line: the resumable position.
    private(set) var consumed: Int64
    /// The start of a line whose newline has not arrived yet.
    private(set) var pending: [UInt8] = []
    /// Inside an over-long line, discarding until its newline.
    private(set) var skipping = false
    /// Over-long lines dropped so far.
    private(set) var skippedLines = 0

    init(maxLineLength: Int, offset: Int64) {
        self.maxLineLength = maxLineLength
        readOffset = offset
        consumed = offset
    }

    /// Feeds the next bytes of the stream; appends every line they complete to `lines`.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, into lines: inout FileBatch) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        let count = chunk.count
        while start < count {
            guard let hit = memchr(base + start, 0x0A, count - start) else { break }
            let nl = base.distance(to: UnsafeRawPointer(hit))
            let endOffset = readOffset + Int64(nl + 1)
            if skipping {
                skipping = false
            } else if pending.count + (nl - start) > maxLineLength {
                skippedLines += 1
            } else {
                let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<nl])
                if pending.isEmpty {
                    lines.append(piece, endOffset: endOffset)
                } else {
                    lines.append(pending, piece, endOffset: endOffset)
                }
            }
            pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
            consumed = endOffset
            start = nl + 1
        }
        if start < count && !skipping {
            if pending.count + (count - start) > maxLineLength {
                // Too long already: stop keeping it; the newline that ends it moves the position.
                skipping = true
                skippedLines += 1
                pending = []
            } else {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<count]))
            }
        }
        readOffset += Int64(count)
    }

    /// Hands out the waiting partial line as a line (a rotated-away file that will never finish it).
    mutating func flushPartial() -> FileLine? {
        if skipping {
            // An over-long line that never ended: it was counted; move past it.
            skipping = false
            consumed = readOffset
            return nil
        }
        guard !pending.isEmpty else { return nil }
        let line = FileLine(bytes: pending, endOffset: readOffset)
        pending = []
        consumed = readOffset
        return line
    }
}
