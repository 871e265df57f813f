#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One line as the ``LineReader`` hands it out. The bytes are valid only inside the callback.
public struct LineView {
    /// The line without its newline (a `\r` before it is kept; the parsers ignore it).
    public let bytes: UnsafeRawBufferPointer
    /// The stream offset just after this line and its newline: a checkpoint that resumes at the next line.
    public let endOffset: Int64
    /// False for a last line that ended without a newline (delivered by ``LineReader/finish(_:)``).
    public let hasNewline: Bool
}

/// Splits a ``ByteSource`` into lines, with bounded memory.
///
/// - Reads in large chunks into one buffer and finds newlines with `memchr`; lines are handed out in place.
/// - A line longer than `maxLineLength` is skipped up to its newline and counted in ``skippedLongLines``:
///   memory stays at the buffer size whatever the input.
/// - At the current end of the stream a partial line stays buffered: ``nextLine(_:)`` returns nil, and a
///   follower calls it again once the file grew. When the stream is really over, ``finish(_:)`` hands out the
///   partial last line (``LineView/hasNewline`` false).
///
/// ```swift
/// var reader = LineReader(source: try FileByteSource(path: "/var/log/mail.log"))
/// while try reader.nextLine({ line in handle(line.bytes, line.endOffset) }) != nil {}
/// reader.finish { line in handle(line.bytes, line.endOffset) }
/// ```
public struct LineReader<Source: ByteSource & ~Copyable>: ~Copyable {
    public private(set) var source: Source
    /// Lines longer than the maximum that were skipped.
    public private(set) var skippedLongLines = 0
    /// The longest line length accepted, in bytes (without the newline).
    public let maxLineLength: Int

    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0  // first unconsumed byte
    private var end = 0  // end of valid bytes
    private var scanned = 0  // bytes in [start, scanned) hold no newline
    private var skipping = false  // inside an over-long line, discarding up to its newline
    private var atEnd = false

    /// - Parameters:
    ///   - source: where the bytes come from; the reader owns it.
    ///   - maxLineLength: longer lines are skipped (default 1 MiB).
    ///   - bufferSize: the read chunk (default 1 MiB); grown to hold at least one maximal line.
    public init(source: consuming Source, maxLineLength: Int = 1 << 20, bufferSize: Int = 1 << 20) {
        self.source = source
        self.maxLineLength = max(1, maxLineLength)
        let size = max(bufferSize, self.maxLineLength + 1, 4096)
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Bytes read from the source but not yet handed out (a partial line at the end, or read-ahead).
    public var pendingBytes: Int { end - start }

    /// The stream offset of the first byte not yet handed out: where to resume if stopped now.
    public var offset: Int64 { source.offset - Int64(end - start) }

    /// Calls `body` with the next complete line and returns its result; nil at the current end of the
    /// stream (a partial last line stays buffered). Throws what the source throws.
    public mutating func nextLine<R>(_ body: (LineView) throws -> R) throws -> R? {
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while true {
            if scanned < end, let p = memchr(base + scanned, 0x0A, end - scanned) {
                let nl = UnsafeRawPointer(p) - UnsafeRawPointer(base)
                let lineStart = start
                start = nl + 1
                scanned = start
                if skipping || nl - lineStart > maxLineLength {
                    if !skipping { skippedLongLines += 1 }
                    skipping = false
                    continue
                }
                let view = LineView(
                    bytes: UnsafeRawBufferPointer(start: base + lineStart, count: nl - lineStart),
                    endOffset: source.offset - Int64(end - start), hasNewline: true)
                return try body(view)
            }
            scanned = end
            if !skipping, end - start > maxLineLength {
                // Over-long: drop what we have and discard up to the next newline.
                skipping = true
                skippedLongLines += 1
            }
            if skipping {
                start = 0
                end = 0
                scanned = 0
            }
            if atEnd { return nil }
            // Make room: move the partial line to the front when the tail is full.
            if end == buffer.count || (start > 0 && buffer.count - end < buffer.count / 4) {
                if start > 0 {
                    memmove(base, base + start, end - start)
                    end -= start
                    scanned -= start
                    start = 0
                }
            }
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { return nil }
            end += n
        }
    }

    /// Marks the stream as over and hands out a partial last line, if any (without newline). Returns
    /// `body`'s result, or nil when there was none. A partial over-long line is dropped and counted.
    public mutating func finish<R>(_ body: (LineView) throws -> R) rethrows -> R? {
        atEnd = true
        guard end > start else {
            skipping = false
            return nil
        }
        if skipping || end - start > maxLineLength {
            if !skipping { skippedLongLines += 1 }
            skipping = false
            start = end
            scanned = end
            return nil
        }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let view = LineView(
            bytes: UnsafeRawBufferPointer(start: base + start, count: end - start), endOffset: source.offset,
            hasNewline: false)
        start = end
        scanned = end
        return try body(view)
    }

    /// Calls `body` for every line until the end of the stream, then for the partial last line.
    public mutating func forEachLine(_ body: (LineView) throws -> Void) throws {
        while try nextLine(body) != nil {}
        try finish(body)
    }
}
