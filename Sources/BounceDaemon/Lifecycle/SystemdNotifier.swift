import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// Talks to systemd's service manager through libsystemd's `sd_notify` (a unit with `Type=notify`).
/// Every call is a no-op when `NOTIFY_SOCKET` is not set (running by hand, in tests, under another
/// supervisor), so callers need not check.
public struct SystemdNotifier: Sendable {
    private let enabled: Bool

    /// A notifier for this process; `enabled: false` makes every call a no-op (tests, `backfill`).
    public init(enabled: Bool = true) { self.enabled = enabled }

    /// Whether a service manager listens (`NOTIFY_SOCKET` is set).
    public var isAvailable: Bool { enabled && getenv("NOTIFY_SOCKET") != nil }

    /// Sends raw `KEY=VALUE` lines; returns whether a message was sent.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        enabled && sd_notify(0, state) > 0
    }

    /// Start-up is complete: sources open, pattern set loaded, metrics listening.
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        notify(status.map { "READY=1\nSTATUS=\(Self.oneLine($0))" } ?? "READY=1")
    }

    /// A one-line status shown by `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool { notify("STATUS=\(Self.oneLine(text))") }

    /// The daemon is reloading (SIGHUP); send `ready()` when done.
    @discardableResult
    public func reloading() -> Bool {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        return notify("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// Shutdown has begun.
    @discardableResult
    public func stopping(status: String? = nil) -> Bool {
        notify(status.map { "STOPPING=1\nSTATUS=\(Self.oneLine($0))" } ?? "STOPPING=1")
    }

    /// Keeps the watchdog fed.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// Half of the unit's `WatchdogSec=` (`WATCHDOG_USEC`, for this pid), or nil when the watchdog is off.
    public func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard enabled, sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec / 2))
    }

    /// Sends `WATCHDOG=1` every half watchdog interval until the task is cancelled, but only while
    /// `isAlive()` says the daemon makes progress (so a wedged pipeline gets restarted by systemd).
    /// Returns at once when the watchdog is off.
    public func runWatchdog(isAlive: @escaping @Sendable () async -> Bool = { true }) async {
        guard let interval = watchdogInterval() else { return }
        while !Task.isCancelled {
            if await isAlive() { watchdog() }
            try? await Task.sleep(for: interval)
        }
    }

    private static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline ? " " : $0 })
    }
}
