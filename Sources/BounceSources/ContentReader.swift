import BounceCore

#if canImport(Glibc)
    import Glibc
#endif

/// The decompressed content of one file, read sequentially from a start offset: plain files by
/// `pread` (so the follower can re-check them between reads), `.gz` through zlib, `.xz`/`.bz2`/`.zst`
/// through their command-line tools. The format is told by the first bytes, not the name.
final class ContentReader {
    enum Format: Sendable, Equatable {
        case plain, gzip, bzip2, xz, zstd
    }

    private final class GzipBox {
        var source: GzipByteSource
        init(_ s: consuming GzipByteSource) { source = s }
    }
    private final class CommandBox {
        var source: CommandByteSource
        init(_ s: consuming CommandByteSource) { source = s }
    }

    let path: String
    let format: Format
    /// The plain file's descriptor, or -1 for compressed files.
    let fd: Int32
    let device: UInt64
    let inode: UInt64
    /// Offset of the next byte `read` returns.
    private(set) var offset: Int64
    private var gzip: GzipBox?
    private var command: CommandBox?

    /// Opens `path` positioned at decompressed `offset`.
    init(path: String, offset: Int64) throws(SourceError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw SourceError(
                .io, path: path, offset: offset, errno: e,
                message:
                    "cannot open \(path): \(String(cString: strerror(e))); check that it exists and bouncetail may read it"
            )
        }
        var st = stat()
        fstat(fd, &st)
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        let format = Self.sniff(fd: fd)
        self.format = format
        self.offset = offset
        switch format {
        case .plain:
            self.fd = fd
        case .gzip:
            close(fd)
            self.fd = -1
            gzip = GzipBox(try GzipByteSource.open(path: path, resumeAt: offset))
        case .xz, .bzip2, .zstd:
            close(fd)
            self.fd = -1
            let (tool, package) =
                format == .xz ? ("xz", "xz-utils") : format == .bzip2 ? ("bzip2", "bzip2") : ("zstd", "zstd")
            command = CommandBox(try CommandByteSource.open(tool: tool, package: package, path: path, resumeAt: offset))
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    var isPlain: Bool { format == .plain }

    /// Reads the next bytes; 0 at the current end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        let n: Int
        if let gzip {
            n = try gzip.source.read(into: buffer)
            offset = gzip.source.offset
            return n
        }
        if let command {
            n = try command.source.read(into: buffer)
            offset = command.source.offset
            return n
        }
        while true {
            let got = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if got < 0 && errno == EINTR { continue }
            if got < 0 {
                let e = errno
                throw SourceError(
                    .io, path: path, offset: offset, errno: e,
                    message: "cannot read \(path) at offset \(offset): \(String(cString: strerror(e)))")
            }
            offset += Int64(got)
            return got
        }
    }

    /// Moves a plain reader back to `offset` (after a truncation).
    func rewind(to newOffset: Int64) {
        precondition(isPlain)
        offset = newOffset
    }

    /// Current size of a plain file (`fstat`).
    func size() -> Int64 {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0 else { return -1 }
        return Int64(st.st_size)
    }

    /// Up to `FileIdentity.fullLength` first bytes of a plain file.
    func head() -> [UInt8] {
        FileProbe.head(fd: fd)
    }

    static func sniff(fd: Int32) -> Format {
        var magic = [UInt8](repeating: 0, count: 6)
        let n = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 6, 0) }
        guard n >= 2 else { return .plain }
        if magic[0] == 0x1f && magic[1] == 0x8b { return .gzip }
        if n >= 3 && magic[0] == 0x42 && magic[1] == 0x5a && magic[2] == 0x68 { return .bzip2 }  // "BZh"
        if n >= 6 && magic == [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] { return .xz }
        if n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd { return .zstd }
        return .plain
    }
}
