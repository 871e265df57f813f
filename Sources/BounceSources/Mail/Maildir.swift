import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One Maildir (the directory holding `new/`, `cur/` and `tmp/`), read the way a mail client reads it:
/// a delivery agent writes each mail into `tmp/` and renames it into `new/`, so every file in `new/` and
/// `cur/` is a whole mail. Files whose names start with a dot are not mails and are skipped.
///
/// Nothing here decides when a mail is done with: the caller commits its bounces first, then calls
/// ``markSeen(_:)`` or ``delete(_:)``. A crash in between leaves the mail in `new/`, to be read again.
public struct Maildir: Sendable {
    /// One mail file.
    public struct Message: Sendable, Hashable {
        /// `new` or `cur`.
        public var folder: String
        /// The file name (unique within the Maildir, info part included).
        public var name: String
        /// The full path.
        public var path: String
    }

    /// The Maildir's directory.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Throws unless `new/` and `cur/` exist and are directories, saying what to fix.
    public func check() throws(MaildirError) {
        for sub in ["new", "cur"] {
            var st = stat()
            let dir = (path as NSString).appendingPathComponent(sub)
            guard stat(dir, &st) == 0 else {
                throw MaildirError(
                    "\(dir): \(String(cString: strerror(errno))); \(path) must be a Maildir (new/, cur/ and tmp/), e.g. the one Dovecot delivers to (mail_location = maildir:~/Maildir)"
                )
            }
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw MaildirError("\(dir) is not a directory; \(path) must be a Maildir (new/, cur/ and tmp/)")
            }
        }
    }

    /// The mails in `new/`, oldest name first (delivery agents start names with the time).
    public func newMessages() throws(MaildirError) -> [Message] {
        try list("new")
    }

    /// Every mail, `cur/` then `new/` (what `backfill --maildir` reads; nothing is moved).
    public func allMessages() throws(MaildirError) -> [Message] {
        try list("cur") + list("new")
    }

    private func list(_ folder: String) throws(MaildirError) -> [Message] {
        let dir = (path as NSString).appendingPathComponent(folder)
        guard let d = opendir(dir) else {
            throw MaildirError(
                "cannot list \(dir): \(String(cString: strerror(errno))); check that this user may read it")
        }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        return names.sorted().map {
            Message(folder: folder, name: $0, path: (dir as NSString).appendingPathComponent($0))
        }
    }

    /// The mail's bytes, at most `limit` (a longer mail is returned cut at `limit`, which the mail reader
    /// then refuses as too large). Nil when the file vanished (another reader took it).
    public func read(_ message: Message, limit: Int) throws(MaildirError) -> [UInt8]? {
        let fd = open(message.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw MaildirError("cannot open \(message.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while out.count < limit {
            let want = limit - out.count
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, want)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MaildirError("cannot read \(message.path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// The name a mail takes in `cur/` once seen: its info part (`:2,FLAGS`) with `S` added, flags sorted.
    public static func seenName(_ name: String) -> String {
        guard let range = name.range(of: ":2,") else { return name + ":2,S" }
        let flags = Set(name[range.upperBound...]).union(["S"])
        return String(name[..<range.lowerBound]) + ":2," + String(flags.sorted())
    }

    /// Moves a mail from `new/` to `cur/` with the Seen flag, durably (both directories synced).
    public func markSeen(_ message: Message) throws(MaildirError) {
        let cur = (path as NSString).appendingPathComponent("cur")
        let target = (cur as NSString).appendingPathComponent(Self.seenName(message.name))
        guard rename(message.path, target) == 0 else {
            if errno == ENOENT { return }
            throw MaildirError(
                "cannot move \(message.path) to \(target): \(String(cString: strerror(errno))); the mail's bounces are stored, it will be read again (and add nothing) until this is fixed"
            )
        }
        Self.syncDirectory(cur)
        Self.syncDirectory((message.path as NSString).deletingLastPathComponent)
    }

    /// Deletes a mail, durably.
    public func delete(_ message: Message) throws(MaildirError) {
        guard unlink(message.path) == 0 else {
            if errno == ENOENT { return }
            throw MaildirError(
                "cannot delete \(message.path): \(String(cString: strerror(errno))); the mail's bounces are stored, it will be read again (and add nothing) until this is fixed"
            )
        }
        Self.syncDirectory((message.path as NSString).deletingLastPathComponent)
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A Maildir could not be read or changed.
public struct MaildirError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
