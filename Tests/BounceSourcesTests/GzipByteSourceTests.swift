import BounceCore
import Foundation
import Testing

@testable import BounceSources

@Suite("Gzip source")
struct GzipByteSourceTests {
    /// Log-like bytes that do not compress to nothing (varying numbers), so damage lands mid-stream.
    static func content(_ lines: Int, seed: UInt64 = 1) -> [UInt8] {
        var rng = seed
        var text = ""
        for i in 0..<lines {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text +=
                "Nov 26 10:00:\(i % 60) mx postfix/smtp[\(rng >> 48)]: \(String(rng, radix: 36)): to=<u\(i)@ex.org>, status=sent\n"
        }
        return Array(text.utf8)
    }

    static func readAll(_ source: inout GzipByteSource, chunk: Int = 4096) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { raw throws(SourceError) in try source.read(into: raw) }
            if n == 0 { return out }
            out += buffer[..<n]
        }
    }

    @Test func roundTripsWhatGzipWrote() throws {
        let dir = ScratchDirectory()
        let original = Self.content(5000)
        dir.write("a.gz", bytes: TestGzip.compress(original))
        var source = try GzipByteSource(path: dir.file("a.gz"))
        #expect(try Self.readAll(&source, chunk: 1000) == original)
        #expect(source.offset == Int64(original.count))
    }

    @Test func readsEveryMemberOfAMultiMemberFile() throws {
        let dir = ScratchDirectory()
        let a = Self.content(300, seed: 1)
        let b = Self.content(200, seed: 2)
        dir.write("m.gz", bytes: TestGzip.compress(a) + TestGzip.compress(b) + TestGzip.compress([]))
        var source = try GzipByteSource(path: dir.file("m.gz"))
        #expect(try Self.readAll(&source) == a + b)
    }

    @Test func trailingZeroPaddingEndsTheStream() throws {
        let dir = ScratchDirectory()
        let a = Self.content(100)
        dir.write("p.gz", bytes: TestGzip.compress(a) + [UInt8](repeating: 0, count: 512))
        var source = try GzipByteSource(path: dir.file("p.gz"))
        #expect(try Self.readAll(&source) == a)
    }

    @Test func resumesAtADecompressedOffset() throws {
        let dir = ScratchDirectory()
        let a = Self.content(2000, seed: 3)
        let b = Self.content(2000, seed: 4)
        dir.write("r.gz", bytes: TestGzip.compress(a) + TestGzip.compress(b))
        // Inside the second member, too.
        for offset in [0, 1, 4095, a.count - 1, a.count, a.count + 777] {
            var source = try GzipByteSource.open(path: dir.file("r.gz"), resumeAt: Int64(offset))
            #expect(source.offset == Int64(offset))
            #expect(try Self.readAll(&source) == Array((a + b)[offset...]))
        }
    }

    @Test func resumingPastTheEndSaysThePositionIsNotThisFile() throws {
        let dir = ScratchDirectory()
        dir.write("s.gz", bytes: TestGzip.compress(Self.content(10)))
        #expect {
            _ = try GzipByteSource.open(path: dir.file("s.gz"), resumeAt: 1_000_000)
        } throws: { error in
            (error as? SourceError)?.kind == .truncatedStream
        }
    }

    @Test func corruptFileNamesFileAndOffsetAndKeepsWhatCameBefore() throws {
        let dir = ScratchDirectory()
        let original = Self.content(20000, seed: 5)
        var gz = TestGzip.compress(original)
        let cut = gz.count / 2
        for i in cut..<(cut + 64) { gz[i] ^= 0x5a }
        dir.write("bad.gz", bytes: gz)
        var source = try GzipByteSource(path: dir.file("bad.gz"))
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var failure: SourceError?
        while true {
            do {
                let n = try buffer.withUnsafeMutableBytes { raw throws(SourceError) in try source.read(into: raw) }
                if n == 0 { break }
                got += buffer[..<n]
            } catch {
                failure = error as? SourceError
                break
            }
        }
        let error = try #require(failure)
        #expect(error.kind == .corrupt || error.kind == .truncatedStream)
        #expect(error.message.contains(dir.file("bad.gz")))
        #expect(error.message.contains("offset \(error.offset)") || error.message.contains("after \(error.offset)"))
        #expect(error.offset == Int64(got.count))
        // Everything before the damage is intact; zlib may decode some garbage between the damage and
        // the point where it can tell (a bad code, or the CRC at the member's end).
        let intact = zip(got, original).prefix { $0 == $1 }.count
        #expect(intact > original.count / 4)
    }

    @Test func cutShortFileIsATruncatedStreamError() throws {
        let dir = ScratchDirectory()
        let original = Self.content(5000, seed: 6)
        let gz = TestGzip.compress(original)
        dir.write("cut.gz", bytes: Array(gz[..<(gz.count * 2 / 3)]))
        var source = try GzipByteSource(path: dir.file("cut.gz"))
        #expect {
            _ = try Self.readAll(&source)
        } throws: { error in
            let e = error as? SourceError
            return e?.kind == .truncatedStream && e?.message.contains("cut.gz") == true
        }
    }

    @Test func missingFileIsAnIOErrorNamingIt() {
        #expect {
            _ = try GzipByteSource(path: "/nonexistent/mail.log.2.gz")
        } throws: { error in
            (error as? SourceError)?.kind == .io && "\(error)".contains("/nonexistent/mail.log.2.gz")
        }
    }

    @Test func zeroByteFileIsEmpty() throws {
        let dir = ScratchDirectory()
        dir.write("empty.gz", bytes: [])
        var source = try GzipByteSource(path: dir.file("empty.gz"))
        #expect(try Self.readAll(&source).isEmpty)
    }

    @Test(arguments: [
        ("xz", "xz-utils", ContentReader.Format.xz), ("bzip2", "bzip2", .bzip2), ("zstd", "zstd", .zstd),
    ])
    func otherCompressionsAreReadThroughTheirTools(tool: String, package: String, format: ContentReader.Format) throws {
        guard TestGzip.toolExists(tool) else {
            print("skipped: \(tool) is not installed (apt-get install \(package)): .\(tool) support not exercised")
            return
        }
        let dir = ScratchDirectory()
        let original = Self.content(3000, seed: 7)
        dir.write("l.log.1.z", bytes: TestGzip.run([tool, "-c"], input: original))
        let reader = try ContentReader(path: dir.file("l.log.1.z"), offset: 100)
        #expect(reader.format == format)
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = try buffer.withUnsafeMutableBytes { raw throws(SourceError) in try reader.read(into: raw) }
            if n == 0 { break }
            got += buffer[..<n]
        }
        #expect(got == Array(original[100...]))
    }

    @Test func missingToolSaysWhatToInstall() {
        #expect {
            _ = try CommandByteSource(tool: "bouncetail-no-such-tool", package: "some-package", path: "/etc/hostname")
        } throws: { error in
            let e = error as? SourceError
            return e?.kind == .unsupported && e?.message.contains("install the some-package package") == true
        }
    }

    @Test func formatIsToldByContentNotName() throws {
        let dir = ScratchDirectory()
        let original = Self.content(50)
        dir.write("mail.log.2", bytes: TestGzip.compress(original))
        dir.write("plain.gz", bytes: original)
        #expect(try ContentReader(path: dir.file("mail.log.2"), offset: 0).format == .gzip)
        #expect(try ContentReader(path: dir.file("plain.gz"), offset: 0).format == .plain)
    }
}
