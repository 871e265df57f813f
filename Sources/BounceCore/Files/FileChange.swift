/// What happened to a file since its position was stored: the rotation decision.
///
/// ``decide(stored:current:candidates:)`` is a pure function of the stored position, a fresh look at
/// the path, and the rotated siblings, so every case is a table test.
public enum FileChange: Sendable, Hashable {
    /// The same file, no new bytes.
    case unchanged
    /// The same file, `bytes` more to read from the stored offset; `nil` when the size is unknown (compressed).
    case grew(bytes: Int64?)
    /// Copytruncate: the path still names the same inode (or the same first bytes) but its content was cut.
    /// When `recovery` is set, the copy made before the cut holds the bytes from the stored offset on:
    /// read it from there to its end, then the path from 0. When `nil`, those bytes are lost (a gap).
    case truncated(recovery: String?)
    /// The file moved to `path` (rename, or compression into `.gz`): read it from the stored offset to
    /// its end. `newFileAtPath` tells whether a different file already sits at the followed path.
    case rotated(to: String, newFileAtPath: Bool)
    /// A different file sits at the path and the stored one is nowhere among the candidates: what was
    /// left unread of the old file (if anything) is lost. Read the new one from 0.
    case replaced
    /// Nothing at the path, and the stored file is nowhere among the candidates.
    case gone

    /// The decision.
    ///
    /// - Parameters:
    ///   - stored: the identity and offset committed for the file.
    ///   - current: what is at the followed path now, or `nil` when nothing is.
    ///   - candidates: rotated siblings (`.1`, `.2.gz`, dateext names), in any order.
    ///
    /// Content (the first bytes' hash) decides which file is which; the inode only tells copytruncate
    /// (same inode, different content) from replacement, and prefers one of several content matches.
    public static func decide(
        stored: FilePosition, current: FileSnapshot?, candidates: [RotatedCandidate]
    ) -> FileChange {
        if let current {
            if current.isSameFile(as: stored.identity) {
                guard let size = current.size else { return .grew(bytes: nil) }
                if size < stored.offset {
                    // Cut below what was read but the first bytes survived (`truncate -s`, or a rewrite
                    // that starts alike): bytes past the cut can only come from a copy.
                    return .truncated(
                        recovery: recoverySource(stored: stored, candidates: candidates, excluding: current))
                }
                return size == stored.offset ? .unchanged : .grew(bytes: size - stored.offset)
            }
            if current.hasSameInode(as: stored.identity) {
                return .truncated(recovery: recoverySource(stored: stored, candidates: candidates, excluding: current))
            }
            if let moved = movedTo(stored: stored, candidates: candidates) {
                return .rotated(to: moved, newFileAtPath: true)
            }
            return .replaced
        }
        if let moved = movedTo(stored: stored, candidates: candidates) {
            return .rotated(to: moved, newFileAtPath: false)
        }
        return .gone
    }

    /// A candidate that holds the stored file with at least the stored offset's bytes: prefers the
    /// same inode (a plain rename), then a plain file (no decompression), then the given order.
    private static func movedTo(stored: FilePosition, candidates: [RotatedCandidate]) -> String? {
        best(of: candidates.filter { usable($0.snapshot, stored: stored) }, stored: stored)?.path
    }

    /// Like ``movedTo(stored:candidates:)`` for a copytruncate: the copy cannot be the truncated inode itself.
    private static func recoverySource(
        stored: FilePosition, candidates: [RotatedCandidate], excluding current: FileSnapshot
    ) -> String? {
        let copies = candidates.filter {
            usable($0.snapshot, stored: stored)
                && !($0.snapshot.inode != nil && $0.snapshot.inode == current.inode
                    && $0.snapshot.device == current.device)
        }
        return best(of: copies, stored: stored)?.path
    }

    private static func usable(_ snapshot: FileSnapshot, stored: FilePosition) -> Bool {
        guard snapshot.isSameFile(as: stored.identity) else { return false }
        if let size = snapshot.size, size < stored.offset { return false }
        return true
    }

    private static func best(of matches: [RotatedCandidate], stored: FilePosition) -> RotatedCandidate? {
        matches.min { a, b in
            let ra = (a.snapshot.hasSameInode(as: stored.identity) ? 0 : 1, a.snapshot.size == nil ? 1 : 0)
            let rb = (b.snapshot.hasSameInode(as: stored.identity) ? 0 : 1, b.snapshot.size == nil ? 1 : 0)
            return ra < rb
        }
    }
}
