/// Resuming a decompressing source at a stored offset: decompress `count` bytes and throw them away.
/// - Parameters:
///   - read: the source's own `read(into:)`.
///   - offset: the source's decompressed offset, for the message when the stream is shorter than `count`.
func discardDecompressed(
    _ count: Int64, path: String, offset: () -> Int64,
    read: (UnsafeMutableRawBufferPointer) throws(SourceError) -> Int
) throws(SourceError) {
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    defer { scratch.deallocate() }
    var left = count
    while left > 0 {
        let n = try read(UnsafeMutableRawBufferPointer(rebasing: scratch[..<Int(min(left, Int64(scratch.count)))]))
        if n == 0 {
            throw SourceError(
                .truncatedStream, path: path, offset: offset(),
                message:
                    "\(path) holds only \(offset()) decompressed bytes but the stored position is \(count): it is not the file the position was taken from; remove that position or check the file"
            )
        }
        left -= Int64(n)
    }
}
