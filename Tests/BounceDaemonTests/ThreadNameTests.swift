import Foundation
import Testing

@testable import BounceDaemon

/// The backfill's threads carry names (`scripts/bench-backfill.sh` reports each thread's CPU by name).
@Suite("Thread names")
struct ThreadNameTests {
    /// The calling thread's name as the kernel shows it.
    static func currentName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .newlines)
    }

    /// The name a fresh thread shows after `ThreadName.set(name)`.
    static func nameOnFreshThread(_ name: String) -> String {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var seen = ""
        let thread = Thread {
            ThreadName.set(name)
            seen = currentName()
            done.signal()
        }
        thread.start()
        done.wait()
        return seen
    }

    @Test func namesTheCallingThreadEveryTime() throws {
        guard FileManager.default.fileExists(atPath: "/proc/thread-self/comm") else {
            print("skipped: no /proc/thread-self/comm (not Linux): thread names not checked")
            return
        }
        // Many fresh threads: Foundation's own `Thread.name` loses a race on some of them.
        let names = (0..<20).map { Self.nameOnFreshThread("bt-name-\($0)") }
        #expect(names == (0..<20).map { "bt-name-\($0)" })
    }

    @Test func keepsTheFirstFifteenBytes() {
        guard FileManager.default.fileExists(atPath: "/proc/thread-self/comm") else {
            print("skipped: no /proc/thread-self/comm (not Linux): thread names not checked")
            return
        }
        #expect(Self.nameOnFreshThread("backfill-commit-and-more") == "backfill-commit")
    }
}
