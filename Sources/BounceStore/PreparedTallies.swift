import BounceCore

/// A batch's tallies with everything their commit needs that is a pure function of them: each one's claim (the
/// hash of its identity and the second it is filed under), its outcome-count cell, and for a delivery the hashes
/// its sent-index row is found by. A backfill builds this on the tracking thread (``Batch/prepareTallies()``), so
/// that the committing thread, the backfill's slowest, only runs the SQL; a commit without it builds it itself.
public struct PreparedTallies: Sendable {
    /// One row of `outcome_counts` (without its count).
    struct Cell: Hashable, Sendable {
        var day: Int
        var host: String
        var domain: String
        var campaign: String
        var outcome: OutcomeClass
    }

    /// What one tally's SQL binds, besides its own fields.
    struct Entry: Sendable {
        /// `OutcomeIdentityHash.of(tally)` as SQLite's signed integer.
        var claimID: Int64
        /// The whole second the claim is filed under (`outcome_claims.at`).
        var claimAt: Int64
        var day: Int
        /// Index into ``cells``.
        var cell: Int
        /// `sent_log.qkey` and `.mkey` (deliveries only; mkey nil without a Message-ID).
        var qkey: Int64
        var mkey: Int64?
    }

    let entries: [Entry]
    /// The cells the tallies count into, in the order first met.
    let cells: [Cell]
    /// Per cell, its tallies: what it adds when every claim is new (the committer subtracts those that are not).
    let counts: [Int]

    public init(_ tallies: [OutcomeTally]) {
        var entries: [Entry] = []
        entries.reserveCapacity(tallies.count)
        var cells: [Cell] = []
        var counts: [Int] = []
        var index: [Cell: Int] = [:]
        index.reserveCapacity(tallies.count)
        for t in tallies {
            let micros = t.time.microseconds
            let day = StateDB.day(ofMicros: micros)
            let cell = Cell(
                day: day, host: t.host, domain: t.domain, campaign: t.campaignUUID ?? "",
                outcome: t.kind == .delivered ? .delivered : .deferred)
            let slot: Int
            if let i = index[cell] {
                slot = i
                counts[i] += 1
            } else {
                slot = cells.count
                index[cell] = slot
                cells.append(cell)
                counts.append(1)
            }
            var entry = Entry(
                claimID: Int64(bitPattern: OutcomeIdentityHash.of(t)), claimAt: StateDB.claimSeconds(ofMicros: micros),
                day: day, cell: slot, qkey: 0, mkey: nil)
            if t.kind == .delivered {
                entry.qkey = SentKeyHash.queue(host: t.host, queueID: t.queueID, recipient: t.recipient)
                entry.mkey = SentKeyHash.message(t.messageID, recipient: t.recipient)
            }
            entries.append(entry)
        }
        self.entries = entries
        self.cells = cells
        self.counts = counts
    }
}

/// The 64-bit keys of `sent_log`'s two lookup indexes: FNV-1a of the texts, each followed by a 0 byte (so that
/// the parts' boundaries count). Not stored anywhere but that table's two columns; a lookup checks the text on the
/// row, so two texts with one hash cost a row read, never a wrong answer.
enum SentKeyHash {
    static func queue(host: String, queueID: String, recipient: String) -> Int64 {
        var h = FNV()
        h.add(host)
        h.add(queueID)
        h.add(recipient)
        return Int64(bitPattern: h.value)
    }

    /// nil without a Message-ID (or with an empty one: no report can name it).
    static func message(_ messageID: String?, recipient: String) -> Int64? {
        guard let messageID, !messageID.isEmpty else { return nil }
        var h = FNV()
        h.add(messageID)
        h.add(recipient)
        return Int64(bitPattern: h.value)
    }

    private struct FNV {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func add(_ text: String) {
            var h = value
            for b in text.utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
            // The 0 separator: XOR with 0 leaves h, the multiply still mixes.
            value = h &* 0x0000_0100_0000_01b3
        }
    }
}
