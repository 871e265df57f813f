import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// The lifetime of a mailbox poll process.
public enum ProcessLifetime {
    /// Makes the kernel kill this process (SIGKILL) when its parent dies, and checks that the parent
    /// `expected` is still the one: a poll must not outlive the `run` that started it.
    /// Returns false when the parent is already gone.
    public static func dieWithParent(expected: pid_t) -> Bool {
        guard bt_die_with_parent() == 0 else { return false }
        return getppid() == expected
    }
}
