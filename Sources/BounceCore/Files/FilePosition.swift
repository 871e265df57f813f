/// Where reading a file stands: which file (by identity) and how many decompressed bytes of it
/// have been consumed. This is what the pipeline commits together with what the lines produced.
public struct FilePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file.
    public var identity: FileIdentity
    /// Decompressed bytes consumed: always the end of a complete line (or of a skipped over-long line).
    public var offset: Int64
    /// True when the reader will never read more of this file: a compressed file read to its end, or
    /// a rotated-away file the follower drained and let go. Lets a resumed backfill skip a finished
    /// `.gz` without decompressing it. Plain files are judged by their size instead.
    public var isComplete: Bool

    /// A position.
    public init(identity: FileIdentity, offset: Int64, isComplete: Bool = false) {
        self.identity = identity
        self.offset = offset
        self.isComplete = isComplete
    }

    /// `fp=…/1024 @ 4096` (plus ` complete`).
    public var description: String {
        "\(identity) @ \(offset)" + (isComplete ? " complete" : "")
    }

    /// The stored position that belongs to a file starting with `head`, among `known`.
    ///
    /// Content decides; among several matches (a provisional identity and its later full one, or two
    /// files with the same first bytes) the longest identity wins, then the same inode, then the
    /// furthest offset, then a complete one.
    public static func bestMatch<C: Collection>(
        in known: [FilePosition], head: C, device: UInt64? = nil, inode: UInt64? = nil
    ) -> FilePosition? where C.Element == UInt8 {
        var best: FilePosition?
        for candidate in known {
            let byContent = candidate.identity.matches(head: head)
            // An identity taken of an empty file has no content to compare: only the inode can tell.
            let byInode =
                candidate.identity.length == 0 && candidate.identity.sameInode(device: device, inode: inode)
            guard byContent || byInode else { continue }
            guard let current = best else {
                best = candidate
                continue
            }
            if rank(candidate, device: device, inode: inode) > rank(current, device: device, inode: inode) {
                best = candidate
            }
        }
        return best
    }

    private static func rank(_ p: FilePosition, device: UInt64?, inode: UInt64?) -> (Int, Int, Int64, Int) {
        (p.identity.length, p.identity.sameInode(device: device, inode: inode) ? 1 : 0, p.offset, p.isComplete ? 1 : 0)
    }
}
