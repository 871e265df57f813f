import BounceCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error reading a file or stream: which file, what failed, and the system's reason.
public struct FileSourceError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        let hint: String =
            switch errno {
            case EACCES, EPERM: " (check the file's permissions and the user bouncetail runs as)"
            case ENOENT: " (check the path; a rotated log may have moved)"
            case EISDIR: " (give a file, not a directory)"
            default: ""
            }
        return "cannot \(operation) \(path): \(reason)\(hint)"
    }
}

/// Plain bytes from a file descriptor with `read(2)`: a regular file, a pipe, or standard input.
///
/// The source owns the descriptor it opened and closes it when it goes away; one made with
/// ``init(fileDescriptor:path:offset:closeWhenDone:)`` closes it only when asked to.
public struct FileByteSource: ByteSource, ~Copyable {
    public let fileDescriptor: Int32
    /// The path (or `-` for stdin), for error messages.
    public let path: String
    public private(set) var offset: Int64
    private let closeWhenDone: Bool

    /// Opens `path` read-only, at `offset` (for resuming from a checkpoint).
    public init(path: String, offset: Int64 = 0) throws(FileSourceError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSourceError(path: path, operation: "open", errno: errno) }
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            let e = errno
            close(fd)
            throw FileSourceError(path: path, operation: "seek to \(offset) in", errno: e)
        }
        self.fileDescriptor = fd
        self.path = path
        self.offset = offset
        self.closeWhenDone = true
    }

    /// Wraps a descriptor that is already open and positioned at `offset`.
    public init(fileDescriptor: Int32, path: String, offset: Int64 = 0, closeWhenDone: Bool) {
        self.fileDescriptor = fileDescriptor
        self.path = path
        self.offset = offset
        self.closeWhenDone = closeWhenDone
    }

    /// Standard input (not closed when done).
    public static func standardInput() -> FileByteSource {
        FileByteSource(fileDescriptor: 0, path: "-", offset: 0, closeWhenDone: false)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = systemRead(fileDescriptor, base, buffer.count)
            if n >= 0 {
                offset += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw FileSourceError(path: path, operation: "read", errno: errno)
        }
    }

    /// The file's modification time (the reference for year-less syslog timestamps), or nil for a pipe.
    public func modificationTime() -> LogTime? {
        var st = stat()
        guard fstat(fileDescriptor, &st) == 0, (st.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else { return nil }
        return LogTime(seconds: Int64(st.st_mtim.tv_sec), micros: Int64(st.st_mtim.tv_nsec / 1000))
    }

    deinit {
        if closeWhenDone { close(fileDescriptor) }
    }
}

/// `read(2)`, named apart from ``FileByteSource/read(into:)``.
private func systemRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buf, count)
}
