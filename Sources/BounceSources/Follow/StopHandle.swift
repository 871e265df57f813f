#if canImport(Glibc)
    import Glibc
#endif

/// Wakes a blocked ``FileFollower/next(timeout:)`` and makes it return `nil`, from any thread.
///
/// A self-pipe: writing a byte is thread-safe and async-signal-safe (so a SIGTERM handler may call
/// ``stop()``), and the descriptors are closed only when the last owner goes away, so a late `stop()`
/// never writes to a reused descriptor number.
public final class StopHandle: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    /// A new handle; pass it to ``FileFollower/init(paths:knownPositions:configuration:stopHandle:)``
    /// when the follower is built on its own thread and the handle must be known outside it.
    public init() throws(SourceError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw SourceError(
                .io, path: "pipe", offset: 0, errno: errno, message: "cannot create a pipe to stop the follower")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Asks the follower to stop; its current or next `next(timeout:)` returns `nil` promptly.
    public func stop() {
        var one: UInt8 = 1
        _ = write(writeFD, &one, 1)
    }
}
