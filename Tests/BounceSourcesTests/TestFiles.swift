import BounceCore
import Foundation

@testable import BounceSources

/// A scratch directory for one test, removed at the end.
final class ScratchDirectory {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "bouncetail-files-\(safe)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) { write(name, bytes: Array(text.utf8)) }

    func write(_ name: String, bytes: [UInt8]) {
        precondition(FileManager.default.createFile(atPath: file(name), contents: Data(bytes)))
    }

    func append(_ name: String, _ text: String) {
        let fd = open(file(name), O_WRONLY | O_APPEND | O_CREAT, 0o644)
        precondition(fd >= 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func read(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: file(name)) ?? Data()) }

    func rename(_ from: String, _ to: String) { precondition(Foundation.rename(file(from), file(to)) == 0) }

    func remove(_ name: String) { unlink(file(name)) }

    func truncate(_ name: String) { precondition(Foundation.truncate(file(name), 0) == 0) }

    /// `gzip -c name > name.gz` (or to `to`), removing the original when `keep` is false.
    func gzip(_ name: String, to: String? = nil, keep: Bool = false) {
        let out = to ?? name + ".gz"
        write(out, bytes: TestGzip.compress(read(name)))
        if !keep { remove(name) }
    }
}

enum TestGzip {
    /// Compresses with the system `gzip` tool (a gzip writer independent of the reader under test).
    static func compress(_ bytes: [UInt8]) -> [UInt8] { run(["gzip", "-c", "-n"], input: bytes) }

    static func run(_ command: [String], input: [UInt8]) -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command
        let inPipe = Pipe()
        let outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try! p.run()
        let writer = Thread {
            inPipe.fileHandleForWriting.write(Data(input))
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(out)
    }

    static func toolExists(_ name: String) -> Bool {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + name) }
    }
}

/// Log lines carrying sequence numbers: `Nov 26 10:00:00 mx postfix/smtp[42]: seq=000123 <tag> padding`.
enum SeqLines {
    static func line(_ n: Int, tag: String = "") -> String {
        let seq = String(n)
        return "Nov 26 10:00:00 mx postfix/smtp[42]: seq=" + String(repeating: "0", count: max(0, 7 - seq.count)) + seq
            + " \(tag)to=<user\(n)@example.org>, status=sent\n"
    }
    static func lines(_ range: Range<Int>, tag: String = "") -> String { range.map { line($0, tag: tag) }.joined() }

    static func seq(_ line: FileLine) -> Int? {
        let text = String(decoding: line.bytes, as: UTF8.self)
        guard let r = text.range(of: "seq=") else { return nil }
        return Int(text[r.upperBound...].prefix(7))
    }
}

extension FileFollower {
    /// Pulls batches until `done` says enough or `limit` passes.
    func collect(limit: Duration = .seconds(5), until done: ([FileBatch]) -> Bool) -> [FileBatch] {
        var batches: [FileBatch] = []
        let end = ContinuousClock.now.advanced(by: limit)
        while !done(batches), ContinuousClock.now < end {
            if let b = next(timeout: .milliseconds(50)) { batches.append(b) }
        }
        return batches
    }

    /// Pulls batches until `count` lines came (or `limit` passes).
    func collectLines(_ count: Int, limit: Duration = .seconds(5)) -> [FileBatch] {
        collect(limit: limit) { $0.reduce(0) { $0 + $1.lines.count } >= count }
    }

    /// Pulls whatever comes within `window`.
    func drainFor(_ window: Duration) -> [FileBatch] {
        collect(limit: window) { _ in false }
    }
}

extension Array where Element == FileBatch {
    var allLines: [FileLine] { flatMap(\.lines) }
    var texts: [String] { allLines.map { String(decoding: $0.bytes, as: UTF8.self) } }
    var seqs: [Int] { allLines.compactMap(SeqLines.seq) }
}

func fastFollow(maxLine: Int = 64 * 1024) -> FollowConfiguration {
    var c = FollowConfiguration()
    c.start = .beginning
    c.rotateWait = .milliseconds(300)
    c.partialLineTimeout = .milliseconds(200)
    c.safetyPollInterval = .seconds(1)
    c.maxLineLength = maxLine
    return c
}
