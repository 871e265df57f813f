#if canImport(Glibc)
    import Glibc
#endif

/// The output of a decompression tool run as a subprocess (`xz -dc`, `bzip2 -dc`, `zstd -dc`):
/// how bouncetail reads `.xz`, `.bz2` and `.zst` without linking their libraries.
///
/// ``offset`` counts decompressed bytes; resuming decompresses and discards up to the offset, as
/// for gzip. When the tool is missing the error says which package to install (or to decompress the
/// file first); when it exits non-zero the error names the file and the offset reached.
public struct CommandByteSource: ByteSource, ~Copyable {
    private let pipeFD: Int32
    private let pid: pid_t
    private var reaped = false
    /// The compressed file.
    public let path: String
    /// The tool, e.g. `xz`.
    public let tool: String
    /// Decompressed bytes returned so far (including those skipped to resume).
    public private(set) var offset: Int64 = 0

    /// Starts `tool -dc -- path` and skips `resumeAt` decompressed bytes.
    public static func open(tool: String, package: String, path: String, resumeAt: Int64) throws(SourceError)
        -> CommandByteSource
    {
        var source = try CommandByteSource(tool: tool, package: package, path: path)
        try source.skip(resumeAt)
        return source
    }

    /// Starts `tool -dc -- path` (`package` names the Debian package that has the tool, for the error).
    public init(tool: String, package: String, path: String) throws(SourceError) {
        self.path = path
        self.tool = tool
        guard access(path, R_OK) == 0 else {
            let e = errno
            throw SourceError(
                .io, path: path, offset: 0, errno: e,
                message:
                    "cannot open \(path): \(String(cString: strerror(e))); check that it exists and bouncetail may read it"
            )
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw SourceError(
                .io, path: path, offset: 0, errno: errno, message: "cannot create a pipe to run \(tool) for \(path)")
        }
        // Only the child's stdout gets the write end; neither end may leak into other children.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        let args = [tool, "-dc", "--", path]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, tool, &actions, nil, &argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw SourceError(
                .unsupported, path: path, offset: 0, errno: rc,
                message:
                    "cannot read \(path): it needs `\(tool)`, which could not be started (\(String(cString: strerror(rc)))); install the \(package) package, or decompress the file first"
            )
        }
        pipeFD = fds[0]
        pid = child
    }

    deinit {
        close(pipeFD)
        if !reaped {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// Reads the tool's output; at its end checks its exit status.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard !reaped, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(pipeFD, buffer.baseAddress, buffer.count)
            if n > 0 {
                offset += Int64(n)
                return n
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw SourceError(
                    .io, path: path, offset: offset, errno: errno,
                    message: "cannot read the output of \(tool) for \(path)")
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped = true
            // WIFEXITED / WEXITSTATUS are macros: decode the status word by hand.
            let exited = (status & 0x7f) == 0
            let code = (status >> 8) & 0xff
            if exited && code == 0 { return 0 }
            throw SourceError(
                .corrupt, path: path, offset: offset,
                message:
                    "\(tool) failed on \(path) after \(offset) decompressed bytes (\(exited ? "exit status \(code)" : "killed by signal \(status & 0x7f)")); the lines before that were read; check the file with `\(tool) -t \(path)`"
            )
        }
    }

    /// Decompresses and discards `count` bytes.
    public mutating func skip(_ count: Int64) throws(SourceError) {
        try discardDecompressed(
            count, path: path, offset: { offset }, read: { (buffer) throws(SourceError) in try read(into: buffer) })
    }
}
