import BounceCore
import Foundation
import Testing

@testable import BounceSources

@Suite("Backfill reader")
struct BackfillReaderTests {
    /// mail.log.3.gz (0..<100), mail.log.2.gz (100..<200), mail.log.1 (200..<300), mail.log (300..<350).
    static func family(_ dir: ScratchDirectory) {
        dir.write("mail.log.3", SeqLines.lines(0..<100))
        dir.gzip("mail.log.3")
        dir.write("mail.log.2", SeqLines.lines(100..<200))
        dir.gzip("mail.log.2")
        dir.write("mail.log.1", SeqLines.lines(200..<300))
        dir.write("mail.log", SeqLines.lines(300..<350))
    }

    static func readAll(_ r: BackfillReader) -> [FileBatch] {
        var out: [FileBatch] = []
        while let b = r.next() { out.append(b) }
        return out
    }

    @Test func readsAFamilyOldestFirstThroughGzip() {
        let dir = ScratchDirectory()
        Self.family(dir)
        let r = BackfillReader(inputs: [dir.path])
        #expect(r.plan.map(\.path) == ["mail.log.3.gz", "mail.log.2.gz", "mail.log.1", "mail.log"].map(dir.file))
        #expect(Self.readAll(r).seqs == Array(0..<350))
        #expect(r.failures.isEmpty)
    }

    @Test func globsAndFilesExpand() {
        let dir = ScratchDirectory()
        Self.family(dir)
        dir.write("other.txt", "x\n")
        let r = BackfillReader(inputs: [dir.file("mail.log*"), dir.file("nope-*"), dir.file("missing.log")])
        #expect(r.plan.count == 4)
        #expect(r.missing == [dir.file("nope-*"), dir.file("missing.log")])
    }

    @Test func resumesMidFileIncludingInsideGzipWithoutRepeats() {
        let dir = ScratchDirectory()
        Self.family(dir)
        var config = BackfillReader.Configuration()
        config.maxBatchBytes = 2000
        // First run: stop after a few batches (a crash), keeping the committed positions.
        var committed: [FilePosition] = []
        var firstSeqs: [Int] = []
        do {
            let r = BackfillReader(inputs: [dir.path], configuration: config)
            while firstSeqs.count < 130 {
                guard let b = r.next() else { break }
                firstSeqs += b.lines.compactMap(SeqLines.seq)
                committed.append(b.position)
            }
        }
        #expect(firstSeqs == Array(0..<firstSeqs.count))
        #expect(firstSeqs.count > 100 && firstSeqs.count < 200)  // past the first .gz, inside the second
        let again = BackfillReader(inputs: [dir.path], knownPositions: committed, configuration: config)
        #expect(again.plan[0].skip == .finished)  // the first .gz was read to its end
        #expect(Self.readAll(again).seqs == Array(firstSeqs.count..<350))
    }

    @Test func skipsWhatTheFollowerAlreadyReadAcrossRotation() {
        let dir = ScratchDirectory()
        dir.write("mail.log", SeqLines.lines(0..<50))
        // The follower read the live file to its end; since then it was rotated and compressed.
        let pos = FilePosition(
            identity: FileIdentity(head: dir.read("mail.log").prefix(1024)), offset: Int64(dir.read("mail.log").count))
        dir.rename("mail.log", "mail.log.1")
        dir.gzip("mail.log.1")
        dir.write("mail.log", SeqLines.lines(50..<60))
        let r = BackfillReader(inputs: [dir.path], knownPositions: [pos])
        // Not marked complete: the .gz is decompressed up to the offset, and nothing follows it.
        #expect(Self.readAll(r).seqs == Array(50..<60))
    }

    @Test func completeCompressedFileIsSkippedWithoutDecompressing() {
        let dir = ScratchDirectory()
        Self.family(dir)
        let r1 = BackfillReader(inputs: [dir.path])
        let positions = Self.readAll(r1).map(\.position)
        #expect(positions.contains { $0.isComplete })
        let r2 = BackfillReader(inputs: [dir.path], knownPositions: positions)
        #expect(r2.plan.allSatisfy { $0.skip == .finished })
        #expect(Self.readAll(r2).isEmpty)
        dir.append("mail.log", SeqLines.line(350))
        let r3 = BackfillReader(inputs: [dir.path], knownPositions: positions)
        #expect(Self.readAll(r3).seqs == [350])
    }

    @Test func plainTwinOfACompressedFileIsReadOnce() {
        let dir = ScratchDirectory()
        dir.write("mail.log.2", SeqLines.lines(0..<20))
        dir.gzip("mail.log.2", keep: true)
        dir.write("mail.log.1", SeqLines.lines(20..<30))
        let r = BackfillReader(inputs: [dir.path])
        #expect(r.plan.first { $0.path == dir.file("mail.log.2.gz") }?.skip == .duplicate(of: dir.file("mail.log.2")))
        #expect(Self.readAll(r).seqs == Array(0..<30))
    }

    @Test func corruptGzipKeepsItsGoodLinesAndTheRestGoesOn() {
        let dir = ScratchDirectory()
        var text = ""
        for i in 0..<3000 { text += SeqLines.line(i, tag: "\(UInt64(i) &* 0x9E37_79B9_7F4A_7C15) ") }
        var gz = TestGzip.compress(Array(text.utf8))
        for i in (gz.count / 2)..<(gz.count / 2 + 32) { gz[i] ^= 0xff }
        dir.write("mail.log.2.gz", bytes: gz)
        dir.write("mail.log.1", SeqLines.lines(5000..<5010))
        let r = BackfillReader(inputs: [dir.path])
        let seqs = Self.readAll(r).seqs
        #expect(r.failures.count == 1)
        #expect(r.failures.first?.path == dir.file("mail.log.2.gz"))
        let good = seqs.filter { $0 < 5000 }
        #expect(good.count > 1000 && Array(good.prefix(1000)) == Array(0..<1000))
        #expect(seqs.suffix(10) == Array(5000..<5010))
    }

    @Test func liveFilesPartialLineWaitsRotatedFilesTailIsKept() {
        let dir = ScratchDirectory()
        dir.write("mail.log.1", SeqLines.line(0) + "rotated tail")
        dir.write("mail.log", SeqLines.line(1) + "live tail")
        let r = BackfillReader(inputs: [dir.path])
        let batches = Self.readAll(r)
        #expect(batches.texts.contains("rotated tail"))
        #expect(!batches.texts.contains("live tail"))
        #expect(batches.last?.position.offset == Int64(SeqLines.line(1).utf8.count))
    }

    @Test func binaryBytesAndAHugeLineNeitherStopNorBloatTheRead() {
        let dir = ScratchDirectory()
        var bytes = Array(SeqLines.line(0).utf8)
        bytes += [0x00, 0xff, 0xfe, 0x00, 0x0a]  // NULs and invalid UTF-8 on a line of their own
        bytes += [UInt8](repeating: UInt8(ascii: "z"), count: 50 << 20) + [0x0a]  // a 50 MiB line
        bytes += Array(SeqLines.line(1).utf8)
        dir.write("mail.log.1", bytes: bytes)
        var config = BackfillReader.Configuration()
        config.maxLineLength = 1 << 20
        let r = BackfillReader(inputs: [dir.file("mail.log.1")], configuration: config)
        let batches = Self.readAll(r)
        #expect(batches.seqs == [0, 1])
        #expect(batches.allLines.contains { $0.bytes == [0x00, 0xff, 0xfe, 0x00] })
        #expect(r.skippedLongLines == 1)
        #expect(batches.allSatisfy { $0.storage.count < 2 << 20 })  // never held the long line
        #expect(batches.last?.position.offset == Int64(bytes.count))
    }

    @Test func everyInputThatGivesNoFileHasItsReason() {
        let dir = ScratchDirectory()
        try? FileManager.default.createDirectory(atPath: dir.file("logs"), withIntermediateDirectories: true)
        dir.write("logs/.hidden", "x\n")
        dir.write("empty.log", "")
        mkfifo(dir.file("pipe.log"), 0o644)
        let r = BackfillReader(inputs: [
            dir.file("nope.log"), dir.file("nope-*"), dir.file("logs"), dir.file("pipe.log"), dir.file("empty.log"),
        ])
        #expect(r.inputProblems.map(\.kind) == [.noSuchFile, .noMatch, .emptyDirectory, .notAFile])
        #expect(r.inputProblems[0].description == "\(dir.file("nope.log")): no such file or directory")
        #expect(r.inputProblems[2].description.hasSuffix("directory without files to read"))
        // An empty file is planned, skipped as empty (not as "already read"), and says so.
        #expect(r.plan.map(\.skip) == [.empty])
        #expect(r.plan.first?.skip?.reason == "empty file: nothing to read")
        #expect(r.plan.first?.skip?.isProblem == false)
    }

    @Test func aFIFOIsNotReadButReported() {
        let dir = ScratchDirectory()
        mkfifo(dir.file("pipe.log"), 0o644)
        let r = BackfillReader(inputs: [dir.file("pipe.log")])
        #expect(r.plan.isEmpty)
        #expect(r.missing == [dir.file("pipe.log")])
    }

    @Test func unreadableFileIsReportedInThePlan() throws {
        guard getuid() != 0 else {
            print("skipped unreadableFileIsReportedInThePlan: running as root, which reads any file")
            return
        }
        let dir = ScratchDirectory()
        dir.write("mail.log", "x\n")
        chmod(dir.file("mail.log"), 0)
        let r = BackfillReader(inputs: [dir.path])
        guard case .unreadable = r.plan.first?.skip else {
            Issue.record("expected unreadable")
            return
        }
    }
}
