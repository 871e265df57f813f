import BounceCore
import Foundation
import Testing

@testable import BounceSources

/// Reading speed over a large journal directory. Opt-in: `BOUNCETAIL_JOURNAL_BENCH=500000 swift test
/// --filter JournalThroughput` (the number of entries; the journal is built once and kept under the
/// temporary directory). Prints figures; asserts only that everything was read.
@Suite(
    "Journal throughput",
    .enabled(
        if: JournalThroughput.entryCount != nil && JournalFixture.remoteTool != nil,
        "set BOUNCETAIL_JOURNAL_BENCH=<entries> (and install systemd-journal-remote) to measure journal reading"))
struct JournalThroughputTests {
    @Test("entries per second from a large journal directory")
    func throughput() async throws {
        let count = try #require(JournalThroughput.entryCount)
        let dir = try JournalThroughput.prepare(count: count)

        // Every tenth entry is Postfix's; the rest is other mail-facility noise the identifier filter drops.
        let identifiersOnly = JournalSelection(identifiers: JournalSelection.mail.identifiers)
        for (name, selection) in [
            ("everything", JournalSelection.everything),
            ("mail: matches + identifiers, 10% kept", JournalSelection.mail),
            ("identifiers only, 10% kept", identifiersOnly),
        ] {
            let source = try JournalSource(
                options: JournalOptions(location: .directory(dir), selection: selection, start: .head, mode: .backfill))
            let clock = ContinuousClock()
            let started = clock.now
            let cpuStarted = JournalThroughput.processCPUSeconds()
            try await source.start()
            var kept = 0
            for try await batch in source.batches { kept += batch.entries.count }
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let cpu = JournalThroughput.processCPUSeconds() - cpuStarted
            let counters = source.counters
            #expect(counters.scanned == count)
            #expect(kept == (selection == .everything ? count : count / 10))
            print(
                "journal read [\(name)]: \(counters.scanned) scanned, \(kept) kept in \(String(format: "%.2f", seconds)) s = "
                    + "\(Int(Double(counters.scanned) / seconds)) entries/s; CPU \(String(format: "%.2f", cpu)) s = "
                    + "\(Int(Double(counters.scanned) / cpu)) entries per CPU-second")
        }

        // Reference: journalctl over the same directory, same page cache.
        let clock = ContinuousClock()
        let started = clock.now
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // `time` reports journalctl's own CPU time, comparable to the figures above under load.
        process.arguments = ["-c", "time -p journalctl --directory='\(dir)' -o export --no-pager > /dev/null"]
        try process.run()
        process.waitUntilExit()
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "journalctl -o export over the same directory: \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds)) entries/s"
        )
    }
}

enum JournalThroughput {
    static let entryCount = ProcessInfo.processInfo.environment["BOUNCETAIL_JOURNAL_BENCH"].flatMap { Int($0) }

    /// CPU time of the whole process (all threads), so that figures stay comparable on a busy machine.
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Builds (once) a directory of journal files holding `count` entries, 50,000 per file.
    static func prepare(count: Int) throws -> String {
        let dir = NSTemporaryDirectory() + "bouncetail-journal-bench-\(count)"
        let done = dir + "/.complete"
        if FileManager.default.fileExists(atPath: done) { return dir }
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let perFile = 50_000
        var first = 0
        var file = 0
        while first < count {
            let n = min(perFile, count - first)
            var entries: [ExportEntry] = []
            entries.reserveCapacity(n)
            for index in first..<(first + n) {
                let isPostfix = index % 10 == 0
                entries.append(
                    ExportEntry(
                        isPostfix
                            ? "\(String(index, radix: 16, uppercase: true)): to=<u\(index)@example.org>, relay=mx.example.org[192.0.2.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.7] said: 550 5.1.1 <u\(index)@example.org>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))"
                            : "imap-login: Login: user=<u\(index)@example.org>, method=PLAIN, rip=192.0.2.9, lip=192.0.2.1, mpid=\(index), TLS, session=<abcdef\(index)>",
                        identifier: isPostfix ? "postfix/smtp" : "dovecot", pid: 1000 + index % 30000,
                        realtime: JournalFixture.baseRealtime + Int64(index) * 1_000,
                        monotonic: 1_000_000 + Int64(index) * 1_000,
                        unit: isPostfix ? "postfix@-.service" : "dovecot.service", facility: 2))
            }
            try JournalFixture.makeJournal(at: dir + "/part\(file).journal", entries)
            first += n
            file += 1
        }
        _ = FileManager.default.createFile(atPath: done, contents: Data())
        return dir
    }
}
