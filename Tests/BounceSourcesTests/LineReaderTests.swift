import BounceCore
import BounceSources
import Foundation
import Testing

/// A source that hands out a byte array in small, fixed chunks (to cross every buffer boundary).
struct ChunkedSource: ByteSource {
    var data: [UInt8]
    var chunk: Int
    var position = 0
    var offset: Int64 { Int64(position) }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(chunk, buffer.count, data.count - position)
        guard n > 0 else { return 0 }
        data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }

}

/// Bytes that a test appends to while a reader follows them, like a growing log file.
final class GrowingBytes {
    var data: [UInt8]
    init(_ data: [UInt8]) { self.data = data }
}

struct GrowingSource: ByteSource {
    let file: GrowingBytes
    var position = 0
    var offset: Int64 { Int64(position) }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, file.data.count - position)
        guard n > 0 else { return 0 }
        file.data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

struct CollectedLine: Equatable {
    var text: String
    var endOffset: Int64
    var hasNewline: Bool
}

func collect<S: ByteSource & ~Copyable>(_ reader: inout LineReader<S>) throws -> [CollectedLine] {
    var lines: [CollectedLine] = []
    try reader.forEachLine { l in
        lines.append(
            CollectedLine(
                text: String(decoding: l.bytes, as: UTF8.self), endOffset: l.endOffset, hasNewline: l.hasNewline))
    }
    return lines
}

@Suite("LineReader")
struct LineReaderTests {
    @Test("lines, offsets and a truncated last line, across every chunk size")
    func offsets() throws {
        let text = "alpha\nbravo charlie\n\ndelta\r\necho"
        for chunk in [1, 2, 3, 7, 64, 4096] {
            var reader = LineReader(source: ChunkedSource(data: Array(text.utf8), chunk: chunk), bufferSize: 8)
            let lines = try collect(&reader)
            #expect(
                lines == [
                    CollectedLine(text: "alpha", endOffset: 6, hasNewline: true),
                    CollectedLine(text: "bravo charlie", endOffset: 20, hasNewline: true),
                    CollectedLine(text: "", endOffset: 21, hasNewline: true),
                    CollectedLine(text: "delta\r", endOffset: 28, hasNewline: true),
                    CollectedLine(text: "echo", endOffset: 32, hasNewline: false),
                ], "chunk \(chunk)")
        }
    }

    @Test("over-long lines are skipped and counted, memory stays at the buffer size")
    func longLines() throws {
        let long = String(repeating: "x", count: 10_000)
        let text = "short\n\(long)\nafter\n\(long)"
        var reader = LineReader(
            source: ChunkedSource(data: Array(text.utf8), chunk: 333), maxLineLength: 100, bufferSize: 256)
        let lines = try collect(&reader)
        #expect(lines.map(\.text) == ["short", "after"])
        #expect(lines[1].endOffset == Int64(6 + 10_001 + 6))
        #expect(reader.skippedLongLines == 2)
        // A line of exactly the maximum is kept.
        var exact = LineReader(
            source: ChunkedSource(data: Array((String(repeating: "y", count: 100) + "\n").utf8), chunk: 50),
            maxLineLength: 100, bufferSize: 16)
        #expect(try collect(&exact).map(\.text.count) == [100])
        #expect(exact.skippedLongLines == 0)
    }

    @Test("a partial line waits for its newline while following, then completes when the file grows")
    func follow() throws {
        let file = GrowingBytes(Array("one\ntw".utf8))
        var reader = LineReader(source: GrowingSource(file: file))
        var got: [CollectedLine] = []
        let record = { (l: LineView) in
            got.append(
                CollectedLine(
                    text: String(decoding: l.bytes, as: UTF8.self), endOffset: l.endOffset, hasNewline: l.hasNewline))
        }
        while try reader.nextLine(record) != nil {}
        #expect(got.map(\.text) == ["one"])
        #expect(reader.pendingBytes == 2)
        #expect(reader.offset == 4)
        file.data += Array("o\nthree".utf8)
        while try reader.nextLine(record) != nil {}
        #expect(got.last == CollectedLine(text: "two", endOffset: 8, hasNewline: true))
        #expect(reader.offset == 8)
        reader.finish(record)
        #expect(got.last == CollectedLine(text: "three", endOffset: 13, hasNewline: false))
        #expect(got.count == 3)
        #expect(reader.finish { _ in 1 } == nil)
    }

    @Test("empty input gives no lines")
    func empty() throws {
        var reader = LineReader(source: ChunkedSource(data: [], chunk: 10))
        #expect(try collect(&reader).isEmpty)
    }

    @Test("FileByteSource reads a real file, resumes at an offset, reports mtime and clear errors")
    func realFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bouncetail-lr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mail.log").path
        let text =
            (0..<5000).map { "line \($0) " + String(repeating: "z", count: $0 % 300) }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var reader = LineReader(source: try FileByteSource(path: path), bufferSize: 4096)
        let lines = try collect(&reader)
        #expect(lines.count == 5000)
        #expect(lines.last?.endOffset == Int64(text.utf8.count))
        #expect(reader.source.modificationTime() != nil)
        // Resume at the checkpoint after line 2499.
        let checkpoint = lines[2499].endOffset
        var resumed = LineReader(source: try FileByteSource(path: path, offset: checkpoint))
        let rest = try collect(&resumed)
        #expect(rest.first?.text.hasPrefix("line 2500 ") == true)
        #expect(rest.count == 2500)
        #expect(rest.last?.endOffset == Int64(text.utf8.count))
        do {
            _ = try FileByteSource(path: dir.appendingPathComponent("missing.log").path)
            Issue.record("opening a missing file must throw")
        } catch {
            #expect(error.description.contains("missing.log"))
            #expect(error.description.contains("cannot open"))
        }
    }
}
