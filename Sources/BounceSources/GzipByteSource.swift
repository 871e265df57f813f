import CIsal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The decompressed content of a `.gz` file, streamed through ISA-L's `isal_inflate`.
///
/// - ISA-L parses each member's gzip header and checks its trailer (the CRC-32 and the length of the
///   member's data, `crc_flag = ISAL_GZIP`), as `gzip -d` does; it decodes about twice as fast as
///   zlib 1.2.13 here (docs/design/2026-12-03-isal-inflate.md).
/// - Multi-member files (`cat a.gz b.gz`) read as one stream, as `gzip -d` does; trailing zero
///   padding or other non-gzip bytes after a complete member end the stream.
/// - ``offset`` counts decompressed bytes, so a position stored while the file was `mail.log.1`
///   still means the same bytes in `mail.log.2.gz`.
/// - ``open(path:resumeAt:)`` resumes at a decompressed offset by decompressing and discarding up
///   to it: gzip has no index, so resuming costs a decompression of everything before the offset
///   (about 0.1 s of CPU per 100 MB of decompressed log here), once per restart.
/// - A damaged file throws ``SourceError`` of kind `.corrupt` naming the file and the decompressed
///   offset; every byte before it was returned by earlier reads, so lines up to there are kept. A file
///   that ends inside a member throws `.truncatedStream` the same way, after every byte zlib would
///   have decoded of it (``GzipTruncatedTail``).
/// - ISA-L drops what it decoded into its own window buffer but had no room to hand out when it meets
///   damage, up to 64 KiB; so it always decodes into at least ``directReadMinimum`` bytes: reads
///   into a smaller buffer go through a staging buffer of its own.
public struct GzipByteSource: ByteSource, ~Copyable {
    /// Reads into buffers at least this large are decoded in place; smaller ones are staged. Larger than
    /// ISA-L's internal output buffer (`2 * ISAL_DEF_HIST_SIZE + ISAL_LOOK_AHEAD` bytes), which it
    /// empties into the caller's buffer before it reports damage.
    static let directReadMinimum = 128 * 1024

    private let fd: Int32
    private let state: UnsafeMutablePointer<inflate_state>
    private let input: UnsafeMutableRawBufferPointer
    /// Decoded bytes waiting for a read: ``stage``[``stagedStart``..<``stagedEnd``].
    private let stage: UnsafeMutableRawBufferPointer
    private var stagedStart = 0
    private var stagedEnd = 0
    private var inputEOF = false
    private var memberDone = false
    private var finished = false
    /// Compressed bytes read from the file.
    private var compressedRead: Int64 = 0
    /// Where the current member starts: its first compressed byte, and the decompressed offset there.
    private var memberStart: Int64 = 0
    private var memberStartDecoded: Int64 = 0
    /// Decompressed bytes decoded so far (handed out, staged, or skipped to resume).
    private var decoded: Int64 = 0
    private var pendingError: SourceError?
    /// The path, for messages.
    public let path: String
    /// Decompressed bytes returned so far (including those skipped to resume).
    public private(set) var offset: Int64 = 0

    /// Opens `path` and skips `resumeAt` decompressed bytes (see the type's note on the cost).
    public static func open(path: String, resumeAt: Int64) throws(SourceError) -> GzipByteSource {
        var source = try GzipByteSource(path: path)
        try source.skip(resumeAt)
        return source
    }

    /// Opens `path` at its first byte.
    public init(path: String) throws(SourceError) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw SourceError(
                .io, path: path, offset: 0, errno: e,
                message:
                    "cannot open \(path): \(String(cString: strerror(e))); check that it exists and bouncetail may read it"
            )
        }
        // The state holds the Huffman tables and a 64 KiB window buffer (87 KB): on the heap,
        // zeroed so that no field is ever read uninitialised.
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<inflate_state>.size, alignment: MemoryLayout<inflate_state>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<inflate_state>.size)
        let state = raw.bindMemory(to: inflate_state.self, capacity: 1)
        isal_inflate_init(state)
        // Parse the gzip header and verify the trailer's CRC-32 and length (ISIZE) of every member.
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        self.fd = fd
        self.path = path
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        self.stage = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * Self.directReadMinimum, alignment: 16)
        self.state = state
    }

    deinit {
        UnsafeMutableRawPointer(state).deallocate()
        input.deallocate()
        stage.deallocate()
        close(fd)
    }

    /// Decompresses into `buffer`; returns 0 at the end of the last member.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard buffer.count > 0 else { return 0 }
        if stagedStart == stagedEnd, pendingError == nil, !finished {
            if buffer.count >= Self.directReadMinimum {
                let n = try decode(into: buffer)
                offset += Int64(n)
                return n
            }
            stagedStart = 0
            stagedEnd = try decode(into: stage)
        }
        if stagedStart < stagedEnd {
            let n = min(buffer.count, stagedEnd - stagedStart)
            buffer.baseAddress!.copyMemory(from: stage.baseAddress! + stagedStart, byteCount: n)
            stagedStart += n
            offset += Int64(n)
            return n
        }
        if let error = pendingError { throw error }
        return 0
    }

    /// Decodes into `buffer` (at least ``directReadMinimum`` bytes); 0 at the end of the last member.
    /// An error found after some bytes were decoded is kept in ``pendingError`` and those bytes returned.
    private mutating func decode(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        // `avail_out` is 32 bits wide.
        let room = min(buffer.count, Int(UInt32.max))
        while true {
            if state.pointee.avail_in == 0 && !inputEOF { try refill() }
            if memberDone {
                // A member ended: another may follow (multi-member gzip), or the file ends here.
                if state.pointee.avail_in == 0 && inputEOF {
                    finished = true
                    return 0
                }
                if state.pointee.avail_in >= 1, state.pointee.next_in[0] != 0x1f {
                    finished = true  // trailing padding, as gzip -d ignores it
                    return 0
                }
                // Keeps next_in/avail_in (the next member's first bytes) and crc_flag.
                isal_inflate_reset(state)
                memberDone = false
                memberStart = compressedRead - Int64(state.pointee.avail_in)
                memberStartDecoded = decoded
            }
            let inputBefore = state.pointee.avail_in
            let stageBefore = state.pointee.block_state
            state.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            state.pointee.avail_out = UInt32(room)
            let rc = isal_inflate(state)
            let produced = room - Int(state.pointee.avail_out)
            decoded += Int64(produced)
            guard rc == ISAL_DECOMP_OK else {
                // Hand out what this call decoded first; the error comes on the next call.
                return try fail(
                    produced,
                    SourceError(
                        .corrupt, path: path, offset: decoded,
                        message:
                            "\(path) is corrupt at decompressed offset \(decoded) (\(Self.describe(rc, state.pointee.block_state))); the \(decoded) bytes before it were read; recover the rest with `gzip -dc \(path) > FILE` (it stops at the damage too) or restore the file, then read FILE"
                    ))
            }
            if state.pointee.block_state == ISAL_BLOCK_FINISH { memberDone = true }
            if produced > 0 { return produced }
            if memberDone { continue }
            // Nothing came out and the member is not over: it needs input.
            if state.pointee.avail_in == 0 {
                guard inputEOF else { continue }
                if compressedRead == 0 {
                    finished = true  // a zero-byte file: no content yet
                    return 0
                }
                return try truncated(into: buffer)
            }
            // Input left, room for output, and the decoder took nothing: it would never move. ISA-L does
            // not do this on any input found so far; fail rather than spin if some input makes it.
            if state.pointee.avail_in == inputBefore && state.pointee.block_state == stageBefore {
                return try fail(
                    0,
                    SourceError(
                        .corrupt, path: path, offset: decoded,
                        message:
                            "\(path) is corrupt at decompressed offset \(decoded) (the decoder cannot go on); the \(decoded) bytes before it were read; recover the rest with `gzip -dc \(path) > FILE` or restore the file, then read FILE"
                    ))
            }
        }
    }

    /// The file ends inside a member: hands out what zlib decodes beyond ISA-L's end, then the error.
    private mutating func truncated(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        let tail = GzipTruncatedTail.bytes(
            fd: fd, memberStart: memberStart, inputEnd: compressedRead, skip: decoded - memberStartDecoded,
            limit: buffer.count)
        tail.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        decoded += Int64(tail.count)
        return try fail(
            tail.count,
            SourceError(
                .truncatedStream, path: path, offset: decoded,
                message:
                    "\(path) ends in the middle of a gzip stream after \(decoded) decompressed bytes: it is still being written or was cut short; lines before that were read; re-run once the compression has finished, or decompress what is there with `zcat \(path) > FILE` and read FILE"
            ))
    }

    /// Ends the stream with `error`: returns the `produced` bytes first when there are any.
    private mutating func fail(_ produced: Int, _ error: SourceError) throws(SourceError) -> Int {
        pendingError = error
        finished = true
        if produced > 0 { return produced }
        throw error
    }

    /// Decompresses and discards `count` bytes (to resume at a stored offset).
    public mutating func skip(_ count: Int64) throws(SourceError) {
        try discardDecompressed(
            count, path: path, offset: { offset }, read: { (buffer) throws(SourceError) in try read(into: buffer) })
    }

    private mutating func refill() throws(SourceError) {
        var n: Int
        repeat { n = Glibc.read(fd, input.baseAddress, input.count) } while n < 0 && errno == EINTR
        if n < 0 {
            let e = errno
            throw SourceError(
                .io, path: path, offset: decoded, errno: e,
                message: "cannot read \(path) at decompressed offset \(decoded): \(String(cString: strerror(e)))")
        }
        if n == 0 { inputEOF = true }
        compressedRead += Int64(n)
        state.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_in = UInt32(n)
    }

    /// What an `isal_inflate` error code means, in the words `gzip -t` would use.
    static func describe(_ code: Int32, _ stage: isal_block_state) -> String {
        switch code {
        case ISAL_INVALID_BLOCK: return "invalid deflate block"
        case ISAL_INVALID_SYMBOL: return "invalid deflate code"
        case ISAL_INVALID_LOOKBACK: return "invalid distance too far back"
        case ISAL_INVALID_WRAPPER: return "not a gzip member header"
        case ISAL_UNSUPPORTED_METHOD: return "unknown compression method"
        case ISAL_INCORRECT_CHECKSUM:
            // At the end of a member it is the trailer; before the data, the header's own CRC-16.
            return stage == ISAL_BLOCK_FINISH
                ? "the member's CRC-32 or length does not match its trailer" : "incorrect header checksum"
        default: return "ISA-L inflate code \(code)"
        }
    }
}
