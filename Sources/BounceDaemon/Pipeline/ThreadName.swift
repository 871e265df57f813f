#if canImport(Glibc)
    import Glibc
#endif

/// Names the calling thread, as `top -H`, `/proc/PID/task/*/comm` and `scripts/bench-backfill.sh` show it.
///
/// Foundation's `Thread.name` does not do it on Linux: set before `start()` it is never applied, and set
/// from inside the thread it is applied only when the starting thread has already stored the new
/// thread's handle (a race: measured, one run in six stayed unnamed). Swift cannot call glibc's
/// `pthread_setname_np` (not exported by the Glibc module), so this writes `/proc/thread-self/comm`,
/// which is what that function does on Linux.
enum ThreadName {
    /// Sets the calling thread's name (at most 15 bytes are kept); does nothing where it cannot.
    static func set(_ name: String) {
        #if os(Linux)
            let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            defer { close(fd) }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #endif
    }
}
