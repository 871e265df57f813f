import BounceCore
import BounceStore

/// Maps file positions (content identity + offset) to rows of the state database and back.
///
/// The row's source id is derived from the content identity alone, so a file keeps its position after
/// `mail.log → mail.log.1 → mail.log.2.gz`, and backfill and the follower share positions.
public enum FilePositionCoding {
    /// `file:<fingerprint hex>`: the state-database id of a file's position.
    public static func sourceID(_ identity: FileIdentity) -> String {
        "file:" + String(identity.fingerprint, radix: 16)
    }

    /// The row for `position`. The fingerprint column holds the 64-bit hash and the hashed length.
    public static func encode(_ position: FilePosition) -> SourcePosition {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12)
        withUnsafeBytes(of: position.identity.fingerprint.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(clamping: position.identity.length).littleEndian) { bytes.append(contentsOf: $0) }
        // A completed file is marked by a negative offset so the planner can skip it without reopening.
        return SourcePosition(
            sourceID: sourceID(position.identity), fingerprint: bytes, device: position.identity.device,
            inode: position.identity.inode, offset: position.isComplete ? -1 - position.offset : position.offset)
    }

    /// The file position a row holds, or nil for rows of other sources (the journal).
    public static func decode(_ row: SourcePosition) -> FilePosition? {
        guard row.sourceID.hasPrefix("file:"), let bytes = row.fingerprint, bytes.count == 12 else { return nil }
        var fingerprint: UInt64 = 0
        var length: UInt32 = 0
        for i in 0..<8 { fingerprint |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        for i in 0..<4 { length |= UInt32(bytes[8 + i]) << (8 * UInt32(i)) }
        let identity = FileIdentity(fingerprint: fingerprint, length: Int(length), device: row.device, inode: row.inode)
        let complete = row.offset < 0
        return FilePosition(identity: identity, offset: complete ? -1 - row.offset : row.offset, isComplete: complete)
    }
}
