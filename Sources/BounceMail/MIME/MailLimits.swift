/// Caps on what the reader parses. A message over a cap is not parsed (``MailReadError``): the caller
/// keeps it for review. Bounce reports are small; a message far larger or nested far deeper than a real
/// DSN is hostile or broken, and parsing it would cost memory and time for nothing.
public struct MailLimits: Sendable, Hashable {
    /// Largest message in bytes (default 10 MiB: a DSN returning a full original stays well below).
    public var maxBytes: Int
    /// Deepest MIME nesting (multipart and message/rfc822 levels; default 8).
    public var maxDepth: Int
    /// Most MIME parts in one message (default 256).
    public var maxParts: Int

    public init(maxBytes: Int = 10 << 20, maxDepth: Int = 8, maxParts: Int = 256) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxParts = maxParts
    }
}

/// Why a message was not parsed.
public enum MailReadError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case tooDeep(limit: Int)
    case tooManyParts(limit: Int)
    case empty

    public var description: String {
        switch self {
        case .tooLarge(let b, let l):
            return "message is \(b) bytes, over the \(l)-byte cap (mail.max_bytes); kept for review, not parsed"
        case .tooDeep(let l):
            return "MIME nesting deeper than \(l) levels (mail.max_depth); kept for review, not parsed"
        case .tooManyParts(let l):
            return "more than \(l) MIME parts (mail.max_parts); kept for review, not parsed"
        case .empty:
            return "message is empty or has no header fields; kept for review"
        }
    }
}
