/// A stream of bytes read in chunks: a plain file, standard input, or a decompressed `.gz`.
///
/// Positions are offsets in the *decompressed* stream, so a checkpoint means the same thing for
/// `mail.log.1` and the `mail.log.2.gz` it later becomes.
public protocol ByteSource: ~Copyable {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the (current) end of the stream.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// The offset of the next byte `read` returns, in the decompressed stream.
    var offset: Int64 { get }
}
