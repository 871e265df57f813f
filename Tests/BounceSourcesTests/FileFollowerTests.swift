import BounceCore
import Foundation
import Testing

@testable import BounceSources

@Suite("File follower")
struct FileFollowerTests {
    @Test func readsExistingLinesThenAppends() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<3))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(3).seqs == [0, 1, 2])
        dir.append("mail.log", SeqLines.lines(3..<5))
        let more = f.collectLines(2)
        #expect(more.seqs == [3, 4])
        #expect(more.last?.position.offset == Int64(dir.read("mail.log").count))
        #expect(f.counters.gaps == 0)
    }

    @Test func positionsSayWhereEachLineEnds() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", "a\nbb\nccc\n")
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        let batches = f.collectLines(3)
        #expect(batches.texts == ["a", "bb", "ccc"])
        #expect(batches.allLines.map(\.endOffset) == [2, 5, 9])
        #expect(batches[0].position(after: 0).offset == 2)
        // The allocation-free view gives the same lines.
        var viewed: [String] = []
        for b in batches { b.forEachLine { raw, _ in viewed.append(String(decoding: raw, as: UTF8.self)) } }
        #expect(viewed == ["a", "bb", "ccc"])
        #expect(batches[0].withLine(0) { Array($0) } == Array("a".utf8))
        #expect(batches.last?.position.identity.sameContent(as: FileIdentity(head: Array("a\nbb\nccc\n".utf8))) == true)
    }

    @Test func partialLineWaitsForItsNewline() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", "first\nhalf a li")
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        let early = f.drainFor(.milliseconds(400))
        #expect(early.texts == ["first"])
        #expect(early.last?.position.offset == 6)
        dir.append("mail.log", "ne\n")
        let rest = f.collectLines(1)
        #expect(rest.texts == ["half a line"])
        #expect(rest.last?.position.offset == 18)
    }

    @Test func startsAtTheEndOnAFirstRunWhenAsked() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<5))
        var c = fastFollow()
        c.start = .end
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: c)
        #expect(f.drainFor(.milliseconds(200)).seqs.isEmpty)
        dir.append("mail.log", SeqLines.line(5))
        #expect(f.collectLines(1).seqs == [5])
    }

    @Test func renameAndCreateDrainsTheOldFileFirst() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<3))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(3).seqs == [0, 1, 2])
        // The writer still holds the old file when the rotation happens, and writes once more to it.
        let oldFD = open(dir.file("mail.log"), O_WRONLY | O_APPEND)
        dir.rename("mail.log", "mail.log.1")
        dir.write("mail.log", SeqLines.lines(5..<7))
        let late = Array(SeqLines.lines(3..<5).utf8)
        _ = late.withUnsafeBytes { write(oldFD, $0.baseAddress, $0.count) }
        close(oldFD)
        let batches = f.collectLines(4)
        #expect(batches.seqs == [3, 4, 5, 6])
        #expect(batches.first?.path == dir.file("mail.log"))  // the old file keeps the name it was opened by
        #expect(f.counters.rotations == 1)
        // The drained file is let go with a complete position after rotateWait.
        let tail = f.drainFor(.milliseconds(600))
        #expect(tail.contains { $0.position.isComplete && $0.lines.isEmpty })
        #expect(f.counters.gaps == 0)
    }

    @Test func copytruncateRecoversUnreadLinesFromTheCopy() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<3))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(3).seqs == [0, 1, 2])
        // Written after the last read, then copied and truncated before the follower looks again.
        dir.append("mail.log", SeqLines.lines(3..<6))
        dir.write("mail.log.1", bytes: dir.read("mail.log"))
        dir.truncate("mail.log")
        dir.append("mail.log", SeqLines.lines(6..<8, tag: "after "))
        let batches = f.collectLines(5)
        #expect(batches.seqs == [3, 4, 5, 6, 7])
        #expect(f.counters.truncations == 1)
        #expect(f.counters.recoveredFromCopy == 1)
        #expect(f.counters.gaps == 0)
        // Recovered lines carry the old identity; the new content starts at 0 under its own.
        let old = batches.first { $0.lines.contains { SeqLines.seq($0) == 3 } }!
        let new = batches.first { $0.lines.contains { SeqLines.seq($0) == 6 } }!
        #expect(old.position.identity != new.position.identity)
        #expect(new.lines.first?.endOffset == Int64(SeqLines.line(6, tag: "after ").utf8.count))
    }

    @Test func copytruncateWhenTheNewContentOutgrewTheOffset() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<2))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(2).seqs == [0, 1])
        dir.append("mail.log", SeqLines.line(2))
        dir.write("mail.log.1", bytes: dir.read("mail.log"))
        dir.truncate("mail.log")
        // More new bytes than were ever read: only the changed first bytes reveal the truncation.
        dir.append("mail.log", SeqLines.lines(3..<30, tag: "after "))
        let batches = f.collectLines(28)
        #expect(batches.seqs == Array(2..<30))
        #expect(f.counters.recoveredFromCopy == 1)
        #expect(f.counters.gaps == 0)
    }

    @Test func truncationWithoutACopyIsCountedAsAGap() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<3))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(3).seqs == [0, 1, 2])
        dir.truncate("mail.log")
        dir.append("mail.log", SeqLines.lines(10..<12))
        #expect(f.collectLines(2).seqs == [10, 11])
        #expect(f.counters.gaps == 1)
        #expect(f.takeWarnings().contains { $0.contains("truncated") })
    }

    @Test func delaycompressRotationLosesNothing() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<2))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(2).seqs == [0, 1])
        // Cycle 1: mail.log → mail.log.1 (kept plain), new mail.log.
        dir.append("mail.log", SeqLines.line(2))
        dir.rename("mail.log", "mail.log.1")
        dir.write("mail.log", SeqLines.line(3))
        #expect(f.collectLines(2).seqs == [2, 3])
        // Cycle 2: mail.log.1 → mail.log.2.gz, mail.log → mail.log.1, new mail.log.
        dir.append("mail.log", SeqLines.line(4))
        dir.gzip("mail.log.1", to: "mail.log.2.gz")
        dir.rename("mail.log", "mail.log.1")
        dir.write("mail.log", SeqLines.line(5))
        #expect(f.collectLines(2).seqs == [4, 5])
        #expect(f.counters.gaps == 0)
    }

    @Test func fileThatAppearsLaterIsFollowedFromItsStart() throws {
        let dir = ScratchDirectory()
        var c = fastFollow()
        c.start = .end  // a file created after start is new: read from 0 anyway
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: c)
        #expect(f.drainFor(.milliseconds(150)).isEmpty)
        dir.write("mail.log", SeqLines.lines(0..<3))
        #expect(f.collectLines(3).seqs == [0, 1, 2])
    }

    @Test func overLongLinesAreSkippedAndCounted() throws {
        let dir = ScratchDirectory()
        let long = String(repeating: "x", count: 5000)
        dir.write("mail.log", SeqLines.line(0) + long + "\n" + SeqLines.line(1))
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow(maxLine: 200))
        let batches = f.collectLines(2)
        #expect(batches.seqs == [0, 1])
        #expect(f.counters.skippedLongLines == 1)
        #expect(batches.last?.position.offset == Int64(dir.read("mail.log").count))
        // A long line arriving in pieces is skipped too, without buffering it.
        dir.append("mail.log", String(repeating: "y", count: 150))
        _ = f.drainFor(.milliseconds(100))
        dir.append("mail.log", String(repeating: "y", count: 150) + "\n" + SeqLines.line(2))
        #expect(f.collectLines(1).seqs == [2])
        #expect(f.counters.skippedLongLines == 2)
    }

    @Test func trailingPartialLineOfARotatedFileIsFlushedAfterTheTimeout() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.line(0) + "no newline here")
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        #expect(f.collectLines(1).seqs == [0])
        dir.rename("mail.log", "mail.log.1")
        dir.write("mail.log", "")
        let batches = f.collectLines(1, limit: .seconds(3))
        #expect(batches.texts == ["no newline here"])
        #expect(f.counters.partialLinesFlushed == 1)
    }

    @Test func resumesFromKnownPositionsWithoutRepeats() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<40))
        var positions: [FilePosition] = []
        do {
            let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
            let b = f.collectLines(40)
            #expect(b.seqs == Array(0..<40))
            positions = b.map(\.position)
        }
        dir.append("mail.log", SeqLines.lines(40..<45))
        let again = try FileFollower(
            paths: [dir.file("mail.log")], knownPositions: positions, configuration: fastFollow())
        #expect(again.collectLines(5).seqs == Array(40..<45))
        #expect(again.drainFor(.milliseconds(100)).seqs.isEmpty)
    }

    @Test func rotationWhileStoppedIsRecoveredFromTheRotatedFile() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<40))
        var last: FilePosition?
        do {
            let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
            last = f.collectLines(40).last?.position
        }
        // While down: more lines, then rename rotation with compression, then a new file.
        dir.append("mail.log", SeqLines.lines(40..<45))
        dir.rename("mail.log", "mail.log.1")
        dir.gzip("mail.log.1")
        dir.write("mail.log", SeqLines.lines(45..<47))
        let again = try FileFollower(
            paths: [dir.file("mail.log")], knownPositions: [last!], configuration: fastFollow())
        #expect(again.collectLines(7).seqs == Array(40..<47))
        #expect(again.counters.gaps == 0)
    }

    @Test func aLargeBacklogInTheRotatedFileComesFirstInBoundedBatches() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<10))
        var last: FilePosition?
        do {
            let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
            last = f.collectLines(10).last?.position
        }
        dir.append("mail.log", SeqLines.lines(10..<20_000))
        dir.rename("mail.log", "mail.log.1")
        dir.write("mail.log", SeqLines.lines(20_000..<20_010))
        var c = fastFollow()
        c.maxBatchLines = 500
        let again = try FileFollower(paths: [dir.file("mail.log")], knownPositions: [last!], configuration: c)
        let batches = again.collectLines(20_000)
        #expect(batches.seqs == Array(10..<20_010))  // in order: the whole backlog, then the new file
        #expect(batches.allSatisfy { $0.count <= 500 + 700 })  // a read may complete a few more lines
    }

    @Test func copytruncateWhileStoppedIsRecoveredFromTheCopy() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<40))
        var last: FilePosition?
        do {
            let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
            last = f.collectLines(40).last?.position
        }
        dir.append("mail.log", SeqLines.lines(40..<42))
        dir.write("mail.log.1", bytes: dir.read("mail.log"))
        dir.truncate("mail.log")
        dir.append("mail.log", SeqLines.lines(42..<44, tag: "after "))
        let again = try FileFollower(
            paths: [dir.file("mail.log")], knownPositions: [last!], configuration: fastFollow())
        #expect(again.collectLines(4).seqs == [40, 41, 42, 43])
    }

    @Test func stopWakesABlockedNextPromptly() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", "")
        let f = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow())
        let handle = f.stopHandle
        let t = Thread {
            Thread.sleep(forTimeInterval: 0.1)
            handle.stop()
        }
        t.start()
        // Without the stop this would block for a minute.
        #expect(f.next(timeout: .seconds(60)) == nil)
        #expect(f.isStopped)
    }

    @Test func runsOnItsOwnThreadAndStopsFromAnother() throws {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<50))
        let stop = try StopHandle()
        let follower = try FileFollower(paths: [dir.file("mail.log")], configuration: fastFollow(), stopHandle: stop)
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable {  // written by the reader thread before `done` is signalled
            var seqs: [Int] = []
        }
        let box = Box()
        Thread.detachNewThread {
            while !follower.isStopped {
                if let batch = follower.next(timeout: .seconds(30)) { box.seqs += batch.lines.compactMap(SeqLines.seq) }
            }
            done.signal()
        }
        while follower.counters.lines < 50 { Thread.sleep(forTimeInterval: 0.01) }
        stop.stop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(box.seqs == Array(0..<50))
        #expect(follower.isStopped)
    }

    @Test func followsSeveralFiles() throws {
        let dir = ScratchDirectory()
        dir.write("a.log", SeqLines.lines(0..<2))
        dir.write("b.log", SeqLines.lines(100..<102))
        let f = try FileFollower(paths: [dir.file("a.log"), dir.file("b.log")], configuration: fastFollow())
        #expect(Set(f.collectLines(4).seqs) == [0, 1, 100, 101])
        dir.append("b.log", SeqLines.line(102))
        #expect(f.collectLines(1).seqs == [102])
    }
}
