import Dispatch
import Foundation
import Glibc
import Testing

@testable import BounceDaemon

/// sd_notify reads NOTIFY_SOCKET from the environment, which is process-wide: these tests run one at a time.
@Suite(.serialized) struct SystemdNotifierTests {
    /// A unix datagram socket standing in for systemd's notification socket.
    final class FakeNotifySocket: @unchecked Sendable {  // only read from one thread at a time
        let fd: Int32
        let path: String

        init() throws {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "bt-notify-\(UUID().uuidString.prefix(8))"
                ).path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                let bytes = Array(path.utf8)
                raw.copyBytes(from: bytes.prefix(raw.count - 1))
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard fd >= 0, rc == 0 else { throw LoopbackHTTP.Failure(description: "bind \(path): errno \(errno)") }
            // A receive timeout so a broken notifier fails the test instead of hanging it.
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setenv("NOTIFY_SOCKET", path, 1)
        }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }

        /// `receive()` off the cooperative pool, for tests where a task must run meanwhile.
        func receiveAsync() async -> String? {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: self.receive()) }
            }
        }

        deinit {
            unsetenv("NOTIFY_SOCKET")
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
            close(fd)
            unlink(path)
        }
    }

    @Test func readyStatusWatchdogAndStoppingReachTheSocket() throws {
        let socket = try FakeNotifySocket()
        let notifier = SystemdNotifier()
        #expect(notifier.isAvailable)
        #expect(notifier.ready(status: "following 2 sources\nand the journal"))
        #expect(socket.receive() == "READY=1\nSTATUS=following 2 sources and the journal")
        #expect(notifier.status("3 pending"))
        #expect(socket.receive() == "STATUS=3 pending")
        #expect(notifier.watchdog())
        #expect(socket.receive() == "WATCHDOG=1")
        #expect(notifier.reloading())
        #expect(socket.receive()?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(notifier.stopping())
        #expect(socket.receive() == "STOPPING=1")
    }

    @Test func theWatchdogIntervalIsHalfOfWatchdogUsecAndPingsArrive() async throws {
        let socket = try FakeNotifySocket()
        let notifier = SystemdNotifier()
        setenv("WATCHDOG_USEC", "200000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        #expect(notifier.watchdogInterval() == .milliseconds(100))
        let pinger = Task { await notifier.runWatchdog() }
        let first = await socket.receiveAsync()
        let second = await socket.receiveAsync()
        pinger.cancel()
        await pinger.value
        #expect(first == "WATCHDOG=1")
        #expect(second == "WATCHDOG=1")
        setenv("WATCHDOG_PID", "1", 1)
        #expect(notifier.watchdogInterval() == nil, "a WATCHDOG_USEC meant for another pid is not ours")
    }

    @Test func withoutNotifySocketNothingIsSent() {
        unsetenv("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        #expect(!notifier.isAvailable)
        #expect(!notifier.ready())
        #expect(notifier.watchdogInterval() == nil)
    }
}
