import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a mbox file quoted body lines that start with `From `.
public enum MboxQuoting: String, Sendable, CaseIterable {
    /// mboxrd: every `>*From ` line got one more `>`; reading removes one from each.
    case mboxrd
    /// mboxo: only `From ` got a `>`; reading turns `>From ` back into `From ` (and cannot tell a
    /// `>From ` the sender wrote, which mboxo loses).
    case mboxo
}

/// Splits a mbox byte stream into mails, line by line, with bounded memory per mail.
///
/// A mail starts at a `From ` line (the From_ separator) at the start of the file or after an empty
/// line; the separator is not part of the mail, nor is the empty line a writer puts before the next
/// separator. A mail longer than `limit` bytes is cut there and flagged (the mail reader then refuses
/// it as too large, and it is kept for review).
public struct MboxSplitter: Sendable {
    /// One mail out of the file.
    public struct Mail: Sendable, Hashable {
        /// Its position in the file, from 1.
        public var index: Int
        /// The bytes (cut at the limit when ``truncated``).
        public var bytes: [UInt8]
        /// Whether the mail was longer than the limit.
        public var truncated: Bool
    }

    public let quoting: MboxQuoting
    public let limit: Int
    private var current: [UInt8]?
    private var truncated = false
    private var pendingBlank: [UInt8]?
    private var previousWasBlank = true
    private var count = 0
    /// Bytes before the first separator (not a mbox when there are any).
    public private(set) var leadingBytes = 0

    public init(quoting: MboxQuoting = .mboxrd, limit: Int) {
        self.quoting = quoting
        self.limit = limit
    }

    private static let from = Array("From ".utf8)

    /// Takes one line with its newline (the last line of a file may lack it); returns the mail this
    /// line's separator ended, if any.
    public mutating func feed(_ line: ArraySlice<UInt8>) -> Mail? {
        let blank = line.allSatisfy { $0 == 0x0A || $0 == 0x0D }
        if previousWasBlank, line.starts(with: Self.from) {
            let done = take()
            current = []
            truncated = false
            previousWasBlank = false
            return done
        }
        previousWasBlank = blank
        guard current != nil else {
            leadingBytes += line.count
            return nil
        }
        // The empty line before a separator belongs to the mbox, not the mail: hold it until the next line.
        if let held = pendingBlank {
            append(held[...])
            pendingBlank = nil
        }
        if blank {
            pendingBlank = Array(line)
            return nil
        }
        append(unquoted(line))
        return nil
    }

    /// The last mail, at the end of the file.
    public mutating func finish() -> Mail? {
        take()
    }

    private mutating func take() -> Mail? {
        guard let bytes = current else { return nil }
        current = nil
        pendingBlank = nil
        count += 1
        return Mail(index: count, bytes: bytes, truncated: truncated)
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard let have = current?.count else { return }
        let room = limit - have
        if bytes.count > room {
            truncated = true
            if room > 0 { current?.append(contentsOf: bytes.prefix(room)) }
        } else {
            current?.append(contentsOf: bytes)
        }
    }

    private func unquoted(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard line.first == UInt8(ascii: ">") else { return line }
        let rest = line.drop(while: { $0 == UInt8(ascii: ">") })
        guard rest.starts(with: Self.from) else { return line }
        switch quoting {
        case .mboxrd: return line.dropFirst()
        case .mboxo: return rest.startIndex - line.startIndex == 1 ? rest : line
        }
    }
}

/// Reads a mbox file mail by mail (`backfill --mbox`).
public struct MboxFile {
    public let path: String
    private let fd: Int32
    private var splitter: MboxSplitter
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var finished = false

    /// Opens `path`; throws with what to fix when it cannot.
    public init(path: String, quoting: MboxQuoting, limit: Int) throws(MaildirError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MaildirError("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.fd = fd
        self.splitter = MboxSplitter(quoting: quoting, limit: limit)
    }

    /// Closes the file.
    public func closeFile() { close(fd) }

    /// Bytes before the first `From ` line (more than a few means the file is not a mbox).
    public var leadingBytes: Int { splitter.leadingBytes }

    /// The next mail, or nil at the end of the file.
    public mutating func next() throws(MaildirError) -> MboxSplitter.Mail? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start...nl]
                start = nl + 1
                if let mail = splitter.feed(line) { return mail }
                continue
            }
            if atEnd {
                if finished { return nil }
                finished = true
                if start < buffer.count {
                    let line = buffer[start...]
                    start = buffer.count
                    if let mail = splitter.feed(line) { return mail }
                }
                return splitter.finish()
            }
            // A line longer than 1 MiB is handed on in pieces, so memory stays bounded on any file.
            if buffer.count - start > 1 << 20 {
                let piece = buffer[start...]
                start = buffer.count
                if let mail = splitter.feed(piece) { return mail }
                continue
            }
            // Keep the partial line, read more.
            buffer.removeFirst(start)
            start = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MaildirError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { atEnd = true } else { buffer += chunk[0..<n] }
        }
    }
}
