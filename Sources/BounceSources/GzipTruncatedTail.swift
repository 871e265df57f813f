import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The last bytes of a cut-short gzip member that ISA-L leaves undecoded and zlib does not.
///
/// At the end of its input ISA-L stops one table lookup early: a lookup can hold up to three
/// literals, and it hands out none of them unless all their bits are there, so a member cut short
/// yields up to two bytes fewer than zlib gives (measured at every cut of a 3-member file). Those
/// bytes may end a line, which the zlib reader kept; so, once, when a member turns out cut short,
/// zlib decodes that member again from its start and the bytes past ISA-L's end are handed out too.
enum GzipTruncatedTail {
    /// What zlib decodes of the member starting at byte `memberStart` of `fd`, reading no further than
    /// byte `inputEnd`, past its first `skip` decompressed bytes; at most `limit` bytes. Empty when zlib
    /// gets no further (or fails).
    static func bytes(fd: Int32, memberStart: Int64, inputEnd: Int64, skip: Int64, limit: Int) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            output.deallocate()
        }
        // 15 + 16: a gzip wrapper, 32 KiB window.
        guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return []
        }
        defer { inflateEnd(stream) }
        var at = memberStart
        var decoded: Int64 = 0
        var tail: [UInt8] = []
        while tail.count < limit {
            if stream.pointee.avail_in == 0 {
                let want = Int(min(Int64(input.count), inputEnd - at))
                guard want > 0 else { break }
                let n = pread(fd, input.baseAddress, want, off_t(at))
                guard n > 0 else { break }
                at += Int64(n)
                stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(n)
            }
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let rc = inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            // The part of this output past `skip`.
            let from = max(0, Int(min(Int64(produced), skip - decoded)))
            if from < produced {
                let take = min(produced - from, limit - tail.count)
                tail += UnsafeRawBufferPointer(rebasing: output[from..<(from + take)])
            }
            decoded += Int64(produced)
            guard rc == Z_OK else { break }
        }
        return tail
    }
}
