import BounceCore
import CSystemd
import Foundation
import Testing

@testable import BounceSources

/// Follows a live systemd-journald. Runs only inside `scripts/journald-live-test.sh`, which starts
/// journald in a private mount namespace and sets `BOUNCETAIL_LIVE_JOURNAL_DIR`.
@Suite(
    "Journal live (journald)",
    .enabled(
        if: JournalLive.directory != nil,
        "BOUNCETAIL_LIVE_JOURNAL_DIR is not set: live journald tests run from scripts/journald-live-test.sh (root)"),
    .serialized)
struct JournalLiveTests {
    @Test("entries written before start by logger --journald are read back, noise is not")
    func loggerEntries() async throws {
        let dir = try #require(JournalLive.directory)
        let source = try JournalSource(
            options: JournalOptions(location: .directory(dir), selection: .mail, start: .head, mode: .backfill))
        try await source.start()
        let got = try await collect(source)
        let texts = got.entries.map(\.messageText)
        // The script writes `LIVE-PRE n` as postfix/smtp (mail facility) and `LIVE-NOISE` as sshd.
        #expect(texts.filter { $0.hasPrefix("LIVE-PRE ") }.count == JournalLive.preCount)
        #expect(!texts.contains { $0.contains("LIVE-NOISE") })
        #expect(got.entries.first { $0.messageText.hasPrefix("LIVE-PRE ") }?.identifier == "postfix/smtp")
    }

    @Test("a follower sees entries as they are written, in order, and resumes after a restart without repeats")
    func followAndRestart() async throws {
        let dir = try #require(JournalLive.directory)
        let run = UUID().uuidString.prefix(8)
        let count = JournalLive.followCount
        let source = try JournalSource(
            options: JournalOptions(
                location: .directory(dir), selection: .mail, start: .tail, mode: .follow,
                maxWaitMilliseconds: JournalLive.maxWaitMilliseconds))
        #expect(try await source.start() == .tail)

        let writer = Task.detached {
            for index in 0..<count {
                JournalLive.send(
                    identifier: "postfix/smtp", facility: 2, message: "LIVE-\(run) \(index) \(JournalLive.nowMicros())")
                if index % 10 == 0 {
                    JournalLive.send(identifier: "sshd", facility: 4, message: "LIVE-NOISE \(index)")
                }
                if index == count / 3 {
                    // Rotation while following: system.journal is archived and a new one started.
                    JournalLive.rotate()
                }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        var latencies: [Int64] = []
        var seen: [Int] = []
        var halfway: JournalPosition?
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(60))
            source.stop()
        }
        for try await batch in source.batches {
            let now = JournalLive.nowMicros()
            for entry in batch.entries {
                let words = entry.messageText.split(separator: " ")
                guard words.count == 3, words[0] == "LIVE-\(run)", let index = Int(words[1]), let sent = Int64(words[2])
                else {
                    continue
                }
                seen.append(index)
                latencies.append(now - sent)
                if index == count / 2 - 1 { halfway = entry.position }
            }
            if seen.count >= count { break }
        }
        source.stop()
        watchdog.cancel()
        await writer.value
        #expect(seen == Array(0..<count))
        // The rotation in the middle was seen as such (files added and removed).
        #expect(source.counters.invalidations >= 1)
        #expect(JournalLive.archivedFiles(in: dir) >= 1, "journalctl --rotate should have archived a file")

        // A restart after the halfway entry reads exactly the second half.
        let position = try #require(halfway)
        let resumed = try JournalSource(
            options: JournalOptions(
                location: .directory(dir), selection: .mail, start: .after(position), mode: .backfill))
        #expect(try await resumed.start() == .afterCursor(position))
        let rest = try await collect(resumed).entries.compactMap { entry -> Int? in
            let words = entry.messageText.split(separator: " ")
            return words.count == 3 && words[0] == "LIVE-\(run)" ? Int(words[1]) : nil
        }
        #expect(rest == Array((count / 2)..<count))

        latencies.sort()
        if !latencies.isEmpty {
            print(
                "journal follow latency (send → batch delivered, max wait \(JournalLive.maxWaitMilliseconds) ms), "
                    + "\(latencies.count) entries: "
                    + "median \(latencies[latencies.count / 2]) µs, p99 \(latencies[latencies.count * 99 / 100]) µs, "
                    + "max \(latencies.last!) µs")
        }
    }
}

enum JournalLive {
    static let directory = ProcessInfo.processInfo.environment["BOUNCETAIL_LIVE_JOURNAL_DIR"]
    static let preCount = Int(ProcessInfo.processInfo.environment["BOUNCETAIL_LIVE_PRE_COUNT"] ?? "") ?? 5
    static let followCount = 400
    /// The follower's safety wake-up; lower it to see how much of the latency is journald's own
    /// coalescing of change notifications.
    static let maxWaitMilliseconds =
        Int32(ProcessInfo.processInfo.environment["BOUNCETAIL_LIVE_MAX_WAIT_MS"] ?? "") ?? 5_000

    static func nowMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
    }

    /// Archived journal files (`system@...journal`) under the journal directory.
    static func archivedFiles(in dir: String) -> Int {
        let files = FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []
        return files.filter { $0.contains("@") && $0.hasSuffix(".journal") }.count
    }

    /// Asks journald to archive its active files and start new ones (`journalctl --rotate`).
    static func rotate() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["journalctl", "--rotate"]
        do {
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 { print("journalctl --rotate exited \(process.terminationStatus)") }
        } catch {
            print("journalctl --rotate could not run: \(error)")
        }
    }

    /// Sends one entry straight to journald's socket, as a syslog daemon's entry would arrive.
    static func send(identifier: String, facility: Int, message: String) {
        let fields = [
            "MESSAGE=\(message)", "SYSLOG_IDENTIFIER=\(identifier)", "SYSLOG_FACILITY=\(facility)", "PRIORITY=6",
        ]
        let copies = fields.map { strdup($0)! }
        defer { copies.forEach { free($0) } }
        var vectors = copies.map { iovec(iov_base: UnsafeMutableRawPointer($0), iov_len: strlen($0)) }
        let result = sd_journal_sendv(&vectors, Int32(vectors.count))
        if result < 0 { print("sd_journal_sendv failed: \(result)") }
    }
}
