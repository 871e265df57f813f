import Foundation

/// How far one source has been read, committed together with what those lines produced.
public struct SourcePosition: Sendable, Hashable {
    /// The source's stable id (a configured name, a path, or `journal`).
    public var sourceID: String
    /// A fingerprint of the file's first (decompressed) bytes: its identity across renames.
    public var fingerprint: [UInt8]?
    /// How many leading content bytes the fingerprint covers (it grows while the file is short).
    public var fingerprintLength: Int?
    /// Device and inode: a hint only (inodes are reused), checked after the fingerprint.
    public var device: UInt64?
    public var inode: UInt64?
    /// Bytes consumed, in the decompressed stream for compressed files.
    public var offset: Int64
    /// The journal cursor after the last consumed entry.
    public var journalCursor: String?
    /// That entry's `__REALTIME_TIMESTAMP` in microseconds.
    public var journalRealtime: Int64?
    /// When this position was last committed (set by the store on read).
    public var updatedAt: Date?

    public init(
        sourceID: String, fingerprint: [UInt8]? = nil, fingerprintLength: Int? = nil, device: UInt64? = nil,
        inode: UInt64? = nil, offset: Int64 = 0,
        journalCursor: String? = nil, journalRealtime: Int64? = nil, updatedAt: Date? = nil
    ) {
        self.sourceID = sourceID
        self.fingerprint = fingerprint
        self.fingerprintLength = fingerprintLength
        self.device = device
        self.inode = inode
        self.offset = offset
        self.journalCursor = journalCursor
        self.journalRealtime = journalRealtime
        self.updatedAt = updatedAt
    }
}
