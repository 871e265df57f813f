/// Who a log file is, independent of its name: a hash of the first bytes of its (decompressed)
/// content, plus device and inode as a hint.
///
/// The content hash is what survives `mail.log → mail.log.1 → mail.log.2.gz` and restarts; the inode
/// changes on compression and can be reused after deletion, so it only breaks ties and tells a
/// copytruncate (same inode, new content) from a rename-and-create (new inode).
///
/// While a file is shorter than ``fullLength`` its identity covers only what exists
/// (``isProvisional``); it is recomputed as the file grows. Stored identities of any length match a
/// longer file whose first ``length`` bytes hash the same (see ``matches(head:)``).
public struct FileIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How many leading bytes a complete identity covers.
    public static let fullLength = 1024

    /// FNV-1a 64 of the first ``length`` bytes of the decompressed content.
    public var fingerprint: UInt64
    /// How many bytes ``fingerprint`` covers: ``fullLength``, or fewer while the file is shorter.
    public var length: Int
    /// Device number when the identity was taken (a hint only).
    public var device: UInt64?
    /// Inode number when the identity was taken (a hint only).
    public var inode: UInt64?

    /// An identity from stored parts.
    public init(fingerprint: UInt64, length: Int, device: UInt64? = nil, inode: UInt64? = nil) {
        self.fingerprint = fingerprint
        self.length = length
        self.device = device
        self.inode = inode
    }

    /// The identity of a file whose content starts with `head` (only the first ``fullLength`` bytes are used).
    public init<C: Collection>(head: C, device: UInt64? = nil, inode: UInt64? = nil) where C.Element == UInt8 {
        let prefix = head.prefix(Self.fullLength)
        self.init(fingerprint: Fingerprint.hash(prefix), length: prefix.count, device: device, inode: inode)
    }

    /// True while the file was shorter than ``fullLength``: re-check and upgrade as it grows.
    public var isProvisional: Bool { length < Self.fullLength }

    /// True when a file whose content starts with `head` is this file, by content alone.
    ///
    /// An empty identity (`length == 0`) matches nothing by content: use ``sameInode(as:)``.
    public func matches<C: Collection>(head: C) -> Bool where C.Element == UInt8 {
        guard length > 0, head.count >= length else { return false }
        return Fingerprint.hash(head.prefix(length)) == fingerprint
    }

    /// True when both carry device and inode and they are equal.
    public func sameInode(device otherDevice: UInt64?, inode otherInode: UInt64?) -> Bool {
        guard let device, let inode, let otherDevice, let otherInode else { return false }
        return device == otherDevice && inode == otherInode
    }

    /// Same content key (fingerprint and length), ignoring the device/inode hint.
    public func sameContent(as other: FileIdentity) -> Bool {
        fingerprint == other.fingerprint && length == other.length
    }

    /// A short form for logs: `fp=0123456789abcdef/1024 ino=8:1234`.
    public var description: String {
        var hex = String(fingerprint, radix: 16)
        hex = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        var text = "fp=\(hex)/\(length)"
        if let device, let inode { text += " ino=\(device):\(inode)" }
        return text
    }
}
