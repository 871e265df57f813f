/// A failure reading a log source, with the file, where, and what to do about it.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The file could not be opened or read (`errno` set).
        case io
        /// A compressed file is damaged at ``SourceError/offset``; what came before it was delivered.
        case corrupt
        /// A compressed file ends before its end-of-stream mark (still being written, or cut short).
        case truncatedStream
        /// A compression this build does not read.
        case unsupported
    }

    /// The kind.
    public var kind: Kind
    /// The file.
    public var path: String
    /// Decompressed offset at which it failed (bytes before it were read normally).
    public var offset: Int64
    /// The system error number, for `.io`.
    public var errno: Int32?
    /// The full, operator-facing message.
    public var message: String

    /// An error.
    public init(_ kind: Kind, path: String, offset: Int64, errno: Int32? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.errno = errno
        self.message = message
    }

    public var description: String { message }
}
