import Foundation

extension StateDB {
    /// The committed position of one source, or nil when it was never read.
    public func position(of sourceID: String) throws(StateDBError) -> SourcePosition? {
        try withConnection { c in
            var result: SourcePosition?
            try c.cached(Self.positionSelect + " WHERE source_id = ?").query([.text(sourceID)]) {
                result = Self.position($0)
            }
            return result
        }
    }

    /// Every committed position.
    public func positions() throws(StateDBError) -> [SourcePosition] {
        try withConnection { c in
            var result: [SourcePosition] = []
            try c.cached(Self.positionSelect + " ORDER BY source_id").query { result.append(Self.position($0)) }
            return result
        }
    }

    /// Forgets a source's position (it will be read from its start, or from where the follower decides).
    public func removePosition(of sourceID: String) throws(StateDBError) {
        try withConnection { c in try c.run("DELETE FROM source_positions WHERE source_id = ?", [.text(sourceID)]) }
    }

    private static let positionSelect = """
        SELECT source_id, fingerprint, device, inode, offset, journal_cursor, journal_realtime, updated_at, fingerprint_len
        FROM source_positions
        """

    private static func position(_ s: SQLiteStatement) -> SourcePosition {
        SourcePosition(
            sourceID: s.text(0), fingerprint: s.optionalBlob(1), fingerprintLength: s.optionalInt64(8).map { Int($0) },
            device: s.optionalInt64(2).map { UInt64(bitPattern: $0) },
            inode: s.optionalInt64(3).map { UInt64(bitPattern: $0) }, offset: s.int64(4),
            journalCursor: s.optionalText(5),
            journalRealtime: s.optionalInt64(6), updatedAt: Timestamps.date(s.int64(7)))
    }

    /// One message's tracker state, or nil.
    public func trackerState(forKey key: String) throws(StateDBError) -> [UInt8]? {
        try withConnection { c in
            var result: [UInt8]?
            try c.cached("SELECT value FROM tracker_state WHERE key = ?").query([.text(key)]) { result = $0.blob(0) }
            return result
        }
    }

    /// Every tracker state row in key order, read `chunkRows` rows at a time: what start-up restores.
    ///
    /// Unlike ``allTrackerState()`` the rows are never all in memory at once (a million in-flight messages are
    /// about 470 MB of keys and JSON, which the heap kept after the restore), and the connection is held for one
    /// chunk's read only, never while `body` decodes, so delivery on the same database is not held up for the
    /// whole load. Each chunk continues after the last key of the one before (`key > ?` on the primary key):
    /// keys are written from Swift Strings, so they read back as the same text.
    public func forEachTrackerState(
        chunkRows: Int = 4096, _ body: (_ key: String, _ bytes: [UInt8]) -> Void
    ) throws(StateDBError) {
        let limit = max(1, chunkRows)
        var after: String?
        while true {
            let chunk = try trackerStateChunk(after: after, limit: limit)
            for row in chunk { body(row.key, row.bytes) }
            guard chunk.count == limit, let last = chunk.last else { return }
            after = last.key
        }
    }

    /// Up to `limit` tracker state rows after `after` (from the first when nil), in key order.
    private func trackerStateChunk(after: String?, limit: Int) throws(StateDBError) -> [(key: String, bytes: [UInt8])] {
        try withConnection { c in
            var rows: [(key: String, bytes: [UInt8])] = []
            rows.reserveCapacity(limit)
            let add: (SQLiteStatement) -> Void = { rows.append((key: $0.text(0), bytes: $0.blob(1))) }
            if let after {
                try c.cached("SELECT key, value FROM tracker_state WHERE key > ? ORDER BY key LIMIT ?")
                    .query([.text(after), .int(Int64(limit))], add)
            } else {
                try c.cached("SELECT key, value FROM tracker_state ORDER BY key LIMIT ?").query(
                    [.int(Int64(limit))], add)
            }
            return rows
        }
    }

    /// All tracker state at once, in key order (tests and tools; start-up restores with
    /// ``forEachTrackerState(chunkRows:_:)``, which never holds every row).
    public func allTrackerState() throws(StateDBError) -> [(key: String, bytes: [UInt8])] {
        var result: [(key: String, bytes: [UInt8])] = []
        try forEachTrackerState { result.append((key: $0, bytes: $1)) }
        return result
    }

    /// Whether a dedup key is known (enqueued before, whatever happened to its row since).
    public func isKnown(dedupKey: String) throws(StateDBError) -> Bool {
        try withConnection { c in
            try c.scalarInt("SELECT 1 FROM dedup_keys WHERE dedup_key = ?", [.text(dedupKey)]) != nil
        }
    }
}
