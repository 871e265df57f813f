import Testing

@testable import BounceStore

/// `forEachTrackerState`: start-up's row-by-row read of `tracker_state`, a chunk at a time.
@Suite struct TrackerStateScanTests {
    /// The keys of ``database(rows:)``, in the order SQLite's binary collation sorts them (ASCII: as Swift does).
    private func keys(_ count: Int) -> [String] { (0..<count).map { "mx|postfix|\($0)" }.sorted() }

    /// `count` rows whose keys sort differently as numbers and as text (`m|10` before `m|2`), each value its key.
    private func database(rows count: Int) throws -> (TempDir, StateDB) {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        let rows = keys(count).reversed().map { key in (key: key, bytes: Array("state \(key.dropFirst(11))".utf8)) }
        if !rows.isEmpty { try db.commit(Batch(trackerUpserts: rows)) }
        return (dir, db)
    }

    @Test(arguments: [0, 1, 6, 7, 8, 98, 100])
    func everyRowComesOnceInKeyOrderAcrossChunkBoundaries(_ count: Int) throws {
        let (dir, db) = try database(rows: count)
        _ = dir
        var seen: [(key: String, bytes: [UInt8])] = []
        // 7 rows a chunk: 98 is an exact multiple (the last chunk is full, the next one empty).
        try db.forEachTrackerState(chunkRows: 7) { seen.append((key: $0, bytes: $1)) }
        let all = try db.allTrackerState()
        #expect(seen.count == count)
        #expect(seen.map(\.key) == keys(count))
        #expect(seen.map(\.key) == all.map(\.key))
        #expect(seen.map(\.bytes) == all.map(\.bytes))
        #expect(Set(seen.map(\.key)).count == count)
        #expect(seen.allSatisfy { String(decoding: $0.bytes, as: UTF8.self) == "state " + $0.key.dropFirst(11) })
    }

    @Test func theDefaultChunkReadsATableLargerThanOneChunk() throws {
        let (dir, db) = try database(rows: 10_000)
        _ = dir
        var keys: [String] = []
        try db.forEachTrackerState { key, _ in keys.append(key) }
        #expect(keys == self.keys(10_000))
        #expect(keys.count == 10_000)
    }
}
