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

    /// Reads `path` to its end or its error: the bytes handed out, and the error.
    static func readUntilError(_ path: String, chunk: Int) throws -> (bytes: [UInt8], error: SourceError?) {
        var source = try GzipByteSource(path: path)
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            do {
                let n = try buffer.withUnsafeMutableBytes { raw throws(SourceError) in try source.read(into: raw) }
                if n == 0 { return (got, nil) }
                got += buffer[..<n]
            } catch {
                return (got, error as? SourceError)
            }
        }
    }

    /// Every read size takes one of two paths (staged below `directReadMinimum`, in place above it).
    @Test(arguments: [1, 4096, GzipByteSource.directReadMinimum - 1, GzipByteSource.directReadMinimum, 300_000])
    func everyReadSizeGivesTheSameBytes(chunk: Int) throws {
        let dir = ScratchDirectory()
        let original = Self.content(chunk == 1 ? 800 : 9000, seed: 11)
        dir.write("a.gz", bytes: TestGzip.compress(original) + TestGzip.compress(original))
        var source = try GzipByteSource(path: dir.file("a.gz"))
        #expect(try Self.readAll(&source, chunk: chunk) == original + original)
        #expect(source.offset == Int64(2 * original.count))
    }

    @Test func incompressibleDataInStoredBlocksRoundTrips() throws {
        let dir = ScratchDirectory()
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let gz = TestGzip.run(["gzip", "-1", "-c"], input: noise)
        dir.write("n.gz", bytes: gz)
        #expect(gz.count > noise.count)  // stored, not compressed
        var source = try GzipByteSource(path: dir.file("n.gz"))
        #expect(try Self.readAll(&source, chunk: 8192) == noise)
    }

    /// CRC-32 as gzip computes it (RFC 1952 section 8), for building headers by hand.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A gzip member whose header carries every optional field (RFC 1952 2.3: FEXTRA, FNAME, FCOMMENT,
    /// FHCRC), around the deflate data and trailer `gzip` wrote.
    static func memberWithEveryHeaderField(_ data: [UInt8], breakHeaderCRC: Bool = false) -> [UInt8] {
        let plain = TestGzip.compress(data)  // -n: a 10-byte header without a name
        var header: [UInt8] = [0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]
        let extra = Array("AP\u{4}\u{0}abcd".utf8)
        header += [UInt8(extra.count), 0] + extra
        header += Array("mail.log.2".utf8) + [0]
        header += Array("rotated by logrotate".utf8) + [0]
        let crc16 = UInt16(truncatingIfNeeded: crc32(header)) ^ (breakHeaderCRC ? 1 : 0)
        header += [UInt8(crc16 & 0xff), UInt8(crc16 >> 8)]
        return header + plain[10...]
    }

    @Test func headerWithNameExtraCommentAndHeaderCRCIsRead() throws {
        let dir = ScratchDirectory()
        let a = Self.content(400, seed: 12)
        let b = Self.content(100, seed: 13)
        // A named member as gzip writes it (no -n: FNAME and MTIME), then one with every field.
        dir.write("h.gz", bytes: TestGzip.run(["gzip", "-c"], input: a) + Self.memberWithEveryHeaderField(b))
        var source = try GzipByteSource(path: dir.file("h.gz"))
        #expect(try Self.readAll(&source) == a + b)
    }

    @Test func wrongHeaderCRCIsCorruptAfterTheMembersBefore() throws {
        let dir = ScratchDirectory()
        let a = Self.content(400, seed: 14)
        dir.write("h.gz", bytes: TestGzip.compress(a) + Self.memberWithEveryHeaderField(a, breakHeaderCRC: true))
        let (got, error) = try Self.readUntilError(dir.file("h.gz"), chunk: 4096)
        #expect(got == a)
        #expect(error?.kind == .corrupt)
        #expect(error?.message.contains("header checksum") == true)
        #expect(error?.offset == Int64(a.count))
    }

    /// A wrong CRC-32 or ISIZE in a member's trailer: every byte of that member is handed out (the check
    /// comes after them), then a corrupt error at its end; the members after it are not read.
    @Test(arguments: [8, 5, 4, 1])
    func wrongTrailerIsCorruptAtTheMembersEnd(fromEnd: Int) throws {
        let dir = ScratchDirectory()
        let a = Self.content(3000, seed: 15)
        let b = Self.content(500, seed: 16)
        var first = TestGzip.compress(a)
        first[first.count - fromEnd] ^= 0x01  // 8, 5: the CRC-32; 4, 1: the length
        dir.write("t.gz", bytes: first + TestGzip.compress(b))
        for chunk in [4096, 1 << 20] {
            let (got, error) = try Self.readUntilError(dir.file("t.gz"), chunk: chunk)
            #expect(got == a)
            let e = try #require(error)
            #expect(e.kind == .corrupt)
            #expect(e.offset == Int64(a.count))
            #expect(e.message.contains("CRC-32 or length"))
            #expect(e.message.contains(dir.file("t.gz")) && e.message.contains("offset \(a.count)"))
        }
    }

    @Test func bytesAfterAMemberThatStartLikeGzipButAreNotAreCorrupt() throws {
        let dir = ScratchDirectory()
        let a = Self.content(100, seed: 17)
        dir.write("g.gz", bytes: TestGzip.compress(a) + [0x1f, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 3, 0, 0])
        let (got, error) = try Self.readUntilError(dir.file("g.gz"), chunk: 4096)
        #expect(got == a)
        #expect(error?.kind == .corrupt && error?.message.contains("not a gzip member header") == true)
    }

    /// zlib's reading of `gz` cut at every length (Python's `zlib` module, the library the reader used
    /// before ISA-L, driven like it: members in turn, padding ends the stream): one line per cut,
    /// "decoded-bytes end|truncated". Nil (test skipped with a reason) without python3.
    static func zlibReadingOfEveryCut(_ gz: [UInt8]) -> [(count: Int, truncated: Bool)]? {
        guard TestGzip.toolExists("python3") else { return nil }
        let script = """
            import sys, zlib
            data = sys.stdin.buffer.read()
            for cut in range(len(data) + 1):
                buf, pos, n, kind = data[:cut], 0, 0, "end"
                while pos < len(buf) and buf[pos] == 0x1f:
                    d = zlib.decompressobj(31)
                    n += len(d.decompress(buf[pos:]))
                    if not d.eof:
                        kind = "truncated"
                        break
                    pos = len(buf) - len(d.unused_data)
                print(n, kind)
            """
        let out = String(decoding: TestGzip.run(["python3", "-c", script], input: gz), as: UTF8.self)
        return out.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (Int(parts[0])!, parts[1] == "truncated")
        }
    }

    /// A file cut short anywhere (inside a header, the name, the deflate data, between the data and the
    /// trailer, inside the trailer, inside the next member's magic) hands out exactly the bytes zlib
    /// decodes from what is there (ISA-L alone stops up to two bytes short: GzipTruncatedTail), then a
    /// truncated-stream error at that offset; a cut between members is a clean end.
    @Test func everyCutOfAMultiMemberFileKeepsWhatZlibKeeps() throws {
        // Repetitive lines: ISA-L packs several short literal codes per lookup, where it stops short.
        let a = Array(SeqLines.lines(0..<600).utf8)
        let b = Self.content(25, seed: 19)
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = a + b + noise
        let gz =
            TestGzip.run(["gzip", "-c"], input: a) + TestGzip.compress([]) + TestGzip.compress(b)
            + TestGzip.run(["gzip", "-1", "-c"], input: noise)
        guard let reference = Self.zlibReadingOfEveryCut(gz) else {
            print("skipped: python3 is not installed (apt-get install python3): truncation not compared with zlib")
            return
        }
        try #require(reference.count == gz.count + 1)
        #expect(reference.last?.count == whole.count && reference.last?.truncated == false)
        let dir = ScratchDirectory()
        var short = 0
        for cut in 0...gz.count {
            dir.write("c.gz", bytes: Array(gz[..<cut]))
            let (got, error) = try Self.readUntilError(dir.file("c.gz"), chunk: 65536)
            let expected = reference[cut]
            if got.count != expected.count { short += 1 }
            #expect(got.count == expected.count, "cut at \(cut) of \(gz.count)")
            #expect(got == Array(whole[..<got.count]), "cut at \(cut)")
            if expected.truncated {
                #expect(error?.kind == .truncatedStream, "cut at \(cut)")
                #expect(error?.offset == Int64(got.count), "cut at \(cut)")
            } else {
                #expect(error == nil, "cut at \(cut)")
            }
        }
        #expect(short == 0)
    }

    /// Damage anywhere in the data: the bytes handed out before the error start with at least the intact
    /// prefix zlib hands out (fed one byte at a time: Python drops the output of the call that fails),
    /// whatever the read size. ISA-L loses what sits in its window buffer when it
    /// meets damage unless the output has room for it: `directReadMinimum` and the staging buffer.
    @Test func damageKeepsAtLeastZlibsIntactPrefix() throws {
        guard TestGzip.toolExists("python3") else {
            print("skipped: python3 is not installed (apt-get install python3): damage not compared with zlib")
            return
        }
        let original = Self.content(1500, seed: 20)
        let gz = TestGzip.compress(original)
        let flips = Array(stride(from: 40, to: gz.count - 8, by: gz.count / 23))
        let script = """
            import sys, zlib
            data = bytearray(sys.stdin.buffer.read())
            original = zlib.decompress(bytes(data), 31)
            for flip in [\(flips.map(String.init).joined(separator: ","))]:
                damaged = bytearray(data)
                damaged[flip] ^= 0x5a
                d, out = zlib.decompressobj(31), bytearray()
                try:
                    for i in range(len(damaged)):
                        out += d.decompress(damaged[i:i + 1])
                except zlib.error:
                    pass
                intact = 0
                while intact < min(len(out), len(original)) and out[intact] == original[intact]:
                    intact += 1
                print(intact)
            """
        let zlibIntactCounts = String(decoding: TestGzip.run(["python3", "-c", script], input: gz), as: UTF8.self)
            .split(separator: "\n").map { Int($0)! }
        try #require(zlibIntactCounts.count == flips.count)
        let dir = ScratchDirectory()
        for (flip, zlibIntact) in zip(flips, zlibIntactCounts) {
            var damaged = gz
            damaged[flip] ^= 0x5a
            dir.write("d.gz", bytes: damaged)
            for chunk in [4096, 1 << 20] {
                let (got, error) = try Self.readUntilError(dir.file("d.gz"), chunk: chunk)
                let intact = zip(got, original).prefix { $0 == $1 }.count
                #expect(intact >= zlibIntact, "flip at \(flip), read size \(chunk)")
                #expect(error != nil || got == original, "flip at \(flip)")
                if let error { #expect(error.offset == Int64(got.count)) }
            }
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
