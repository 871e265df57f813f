/// What a look at one path found right now: whether it exists, its device/inode and size, and the
/// first bytes of its decompressed content. Made by the I/O layer, judged by ``FileChange/decide(stored:current:candidates:)``.
public struct FileSnapshot: Sendable, Hashable {
    /// Device number.
    public var device: UInt64?
    /// Inode number.
    public var inode: UInt64?
    /// Size in decompressed bytes; `nil` when unknown without decompressing it all (a `.gz`).
    public var size: Int64?
    /// The first bytes of the decompressed content: at least ``FileIdentity/fullLength`` when the file is that long.
    public var head: [UInt8]

    /// A snapshot.
    public init(device: UInt64? = nil, inode: UInt64? = nil, size: Int64?, head: [UInt8]) {
        self.device = device
        self.inode = inode
        self.size = size
        self.head = head
    }

    /// The identity of the file as it is now (provisional while shorter than ``FileIdentity/fullLength``).
    public var identity: FileIdentity { FileIdentity(head: head, device: device, inode: inode) }

    /// True when this is the file `identity` names: by content, or by inode for an identity of an empty file.
    public func isSameFile(as identity: FileIdentity) -> Bool {
        if identity.length == 0 { return identity.sameInode(device: device, inode: inode) }
        return identity.matches(head: head)
    }

    /// True when device and inode equal the identity's hint.
    public func hasSameInode(as identity: FileIdentity) -> Bool {
        identity.sameInode(device: device, inode: inode)
    }
}

/// A file next to the followed one that may hold its earlier content (`mail.log.1`, `mail.log.2.gz`).
public struct RotatedCandidate: Sendable, Hashable {
    /// Its path.
    public var path: String
    /// What it holds.
    public var snapshot: FileSnapshot

    /// A candidate.
    public init(path: String, snapshot: FileSnapshot) {
        self.path = path
        self.snapshot = snapshot
    }
}
