import BounceCore
import Foundation
import Testing

@testable import BounceSources

/// A writer appends numbered lines at a steady rate while it rotates its log with each scheme in
/// turn; the follower must read every line exactly once with no gap.
@Suite("Rotation under load")
struct RotationUnderLoadTests {
    enum Scheme: CaseIterable { case renameCreate, copytruncate, delaycompress }

    final class Writer: @unchecked Sendable {
        // Only the writer thread touches the files; `lock` guards `written`/`done` read by the test thread.
        let dir: ScratchDirectory
        let lock = NSLock()
        private var _written = 0
        private var _done = false
        var written: Int { lock.withLock { _written } }
        var done: Bool { lock.withLock { _done } }
        let rotationsPerScheme: Int

        init(dir: ScratchDirectory, rotationsPerScheme: Int) {
            self.dir = dir
            self.rotationsPerScheme = rotationsPerScheme
        }

        func run(linesPerSecond: Int, seconds: Double) {
            var fd = open(dir.file("mail.log"), O_WRONLY | O_APPEND | O_CREAT, 0o644)
            let total = Int(Double(linesPerSecond) * seconds)
            let perTick = max(1, linesPerSecond / 200)  // a burst every 5 ms
            let rotations = Scheme.allCases.count * rotationsPerScheme
            let every = total / (rotations + 1)
            var reopenAt = -1
            var seq = 0
            var rotation = 0
            let start = ContinuousClock.now
            while seq < total {
                for _ in 0..<perTick where seq < total {
                    let bytes = Array(SeqLines.line(seq).utf8)
                    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    seq += 1
                    lock.withLock { _written = seq }
                    if seq == reopenAt {
                        // The MTA reopens its log a little after the rotation (like on SIGHUP).
                        close(fd)
                        fd = open(dir.file("mail.log"), O_WRONLY | O_APPEND | O_CREAT, 0o644)
                    }
                    if seq % every == 0 && rotation < rotations {
                        let scheme = Scheme.allCases[rotation % Scheme.allCases.count]
                        rotate(scheme)
                        rotation += 1
                        if scheme != .copytruncate { reopenAt = seq + 25 }
                    }
                }
                let due = start.advanced(by: .seconds(Double(seq) / Double(linesPerSecond)))
                let now = ContinuousClock.now
                if due > now {
                    Thread.sleep(forTimeInterval: Double(now.duration(to: due).components.attoseconds) / 1e18)
                }
            }
            close(fd)
            lock.withLock { _done = true }
        }

        private func exists(_ name: String) -> Bool { access(dir.file(name), F_OK) == 0 }

        /// Shifts `.N.gz`, then rotates the live file by `scheme`.
        private func rotate(_ scheme: Scheme) {
            var n = 8
            while n >= 2 {
                if exists("mail.log.\(n).gz") { dir.rename("mail.log.\(n).gz", "mail.log.\(n + 1).gz") }
                n -= 1
            }
            if exists("mail.log.1") {
                if scheme == .delaycompress {
                    dir.gzip("mail.log.1", to: "mail.log.2.gz")
                } else {
                    dir.rename("mail.log.1", "mail.log.2")
                    dir.gzip("mail.log.2")
                }
            }
            switch scheme {
            case .renameCreate, .delaycompress:
                dir.rename("mail.log", "mail.log.1")
                close(open(dir.file("mail.log"), O_WRONLY | O_CREAT | O_EXCL, 0o644))
            case .copytruncate:
                // The copy and the cut happen between two writes (logrotate's own window is not ours to close).
                dir.write("mail.log.1", bytes: dir.read("mail.log"))
                precondition(truncate(dir.file("mail.log"), 0) == 0)
            }
        }
    }

    @Test func everyLineOnceThroughAllRotationSchemes() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", "")
        let follower = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        let writer = Writer(dir: dir, rotationsPerScheme: 2)
        let thread = Thread { writer.run(linesPerSecond: 3000, seconds: 3) }
        thread.start()

        var seqs: [Int] = []
        let giveUp = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < giveUp {
            if let batch = follower.next(timeout: .milliseconds(100)) {
                seqs += batch.lines.compactMap(SeqLines.seq)
            }
            if writer.done && seqs.count >= writer.written { break }
        }
        // Anything read twice would arrive by now.
        seqs += follower.drainFor(.milliseconds(500)).seqs

        let total = writer.written
        #expect(writer.done)
        #expect(total >= 8000)
        #expect(seqs.count == total, "read \(seqs.count) lines of \(total)")
        #expect(seqs.sorted() == Array(0..<total), "missing or repeated lines")
        #expect(follower.counters.gaps == 0)
        #expect(follower.counters.truncations == 2)
        #expect(follower.counters.recoveredFromCopy == 2)
        #expect(follower.counters.rotations >= 4)
        print(
            "rotation under load: \(total) lines, counters \(follower.counters), warnings \(follower.takeWarnings())")
    }
}
