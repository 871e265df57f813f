import Testing

@testable import BounceCore

/// The rows ``MessageTracker/drainChanges()`` asks for in the sequences where its bookkeeping (which message
/// changed, which has a row) is easy to get wrong: a key dropped and created again within one batch, a row
/// restored under a new host, eviction, recent attempts.
@Suite("MessageTracker drained changes")
struct TrackerBookkeepingTests {
    static func key(_ qid: String) -> String { MessageTracker.key(host: TF.host, mta: .postfix, queueID: qid) }

    /// The sender a drained row holds.
    static func sender(_ bytes: [UInt8]?) throws -> String? {
        try TrackerCoding.decode(MessageState.self, try #require(bytes)).sender
    }

    @Test func droppedAndCreatedAgainInOneBatchKeepsTheEarlierRowsDeletion() throws {
        var tr = TF.tracker()
        _ = tr.ingest(TF.queued("K1", at: 0))
        #expect(Set(tr.drainChanges().upserted.keys) == [Self.key("K1")])

        // Dropped, created again and dropped again: the row of the first batch still goes.
        _ = TF.run(&tr, [TF.removed("K1", at: 1), TF.queued("K1", at: 2), TF.removed("K1", at: 3)])
        #expect(tr.drainChanges() == TrackerChanges(deleted: [Self.key("K1")]))

        // Written, then dropped and created again: one upsert of the new state, no deletion.
        _ = tr.ingest(TF.queued("K1", at: 4))
        _ = tr.drainChanges()
        _ = TF.run(&tr, [TF.removed("K1", at: 5), TF.queued("K1", from: "second@example.org", at: 6)])
        let again = tr.drainChanges()
        #expect(Set(again.upserted.keys) == [Self.key("K1")])
        #expect(again.deleted.isEmpty)
        #expect(try Self.sender(again.upserted[Self.key("K1")]) == "second@example.org")

        // The new state was written: dropping it now deletes the row.
        _ = tr.ingest(TF.removed("K1", at: 7))
        #expect(tr.drainChanges() == TrackerChanges(deleted: [Self.key("K1")]))
        #expect(tr.drainChanges().isEmpty)
    }

    @Test func droppedAndCreatedAgainWithoutARowAsksForNoDeletion() throws {
        var tr = TF.tracker()
        // Begun and ended inside one batch: nothing at all.
        _ = TF.run(&tr, [TF.queued("K2", at: 0), TF.removed("K2", at: 1)])
        #expect(tr.drainChanges().isEmpty)

        // Begun, ended and begun again: only the last state, once.
        _ = TF.run(
            &tr, [TF.queued("K2", at: 2), TF.removed("K2", at: 3), TF.queued("K2", from: "third@example.org", at: 4)])
        let c = tr.drainChanges()
        #expect(Set(c.upserted.keys) == [Self.key("K2")])
        #expect(c.deleted.isEmpty)
        #expect(try Self.sender(c.upserted[Self.key("K2")]) == "third@example.org")

        // A delivery line (the take-and-put path) creating, a removal dropping, within one batch.
        _ = TF.run(&tr, [TF.bounced550("K3", at: 5), TF.removed("K3", at: 6), TF.removed("K2", at: 6)])
        #expect(tr.drainChanges() == TrackerChanges(deleted: [Self.key("K2")]))
    }

    @Test func restoredUnderANewHostDeletesTheOldRowEvenWhenTheMessageEndsInTheSameBatch() throws {
        var src = TF.tracker()
        _ = TF.run(&src, [TF.queued("R1", at: 0), TF.queued("R2", at: 0)])
        let rows = src.drainChanges().upserted
        let old = "Old.Example"
        func oldKey(_ k: String) -> String { old + k.dropFirst(TF.host.count) }
        var tr = MessageTracker(
            options: TrackerOptions(host: TF.host, hosts: HostIdentity(hostName: TF.host, machineNames: [old])))
        for (k, v) in rows {
            // The same state as written by a reader that named its host `Old.Example`.
            var s = try TrackerCoding.decode(MessageState.self, v)
            s.host = old
            var w = JSONWriter(capacity: 256)
            TrackerCoding.write(s, to: &w)
            try tr.restore(key: oldKey(k), bytes: w.bytes)
        }
        #expect(tr.counters.restoredUnderNewHost == 2)
        // R2 ends before the first drain: its moved state was never written, yet both old rows go (and
        // the moved key's deletion is asked for, as for any message that was not created in the batch).
        _ = tr.ingest(TF.removed("R2", at: 1))
        let c = tr.drainChanges()
        #expect(Set(c.upserted.keys) == [Self.key("R1")])
        #expect(c.deleted == [oldKey(Self.key("R1")), oldKey(Self.key("R2")), Self.key("R2")])
        #expect(tr.drainChanges().isEmpty)
    }

    @Test func restoredRowsAreRowsAndRestoringOverALiveStateKeepsItsChange() throws {
        var src = TF.tracker()
        _ = TF.run(&src, [TF.queued("S1", at: 0), TF.queued("S2", at: 0)])
        let rows = src.drainChanges().upserted
        var tr = TF.tracker()
        // Changed before the restore (not the daemon's order, but the tracker takes it): still written.
        _ = tr.ingest(TF.queued("S2", from: "live@example.org", at: 0))
        for (k, v) in rows { try tr.restore(key: k, bytes: v) }
        // A restored state has a row: dropping it deletes that row.
        _ = tr.ingest(TF.removed("S1", at: 1))
        let c = tr.drainChanges()
        #expect(c.deleted == [Self.key("S1")])
        #expect(Set(c.upserted.keys) == [Self.key("S2")])
        #expect(try Self.sender(c.upserted[Self.key("S2")]) == TF.list)
        // Restored over a state created in the batch: still one that was never written, so no deletion.
        var fresh = TF.tracker()
        _ = fresh.ingest(TF.queued("S1", at: 0))
        try fresh.restore(key: Self.key("S1"), bytes: try #require(rows[Self.key("S1")]))
        _ = fresh.ingest(TF.removed("S1", at: 1))
        #expect(fresh.drainChanges().isEmpty)
    }

    @Test func evictedMessagesWithRowsAreDeletedUnlessCreatedAgain() throws {
        var tr = TF.tracker { $0.maxMessages = 10 }
        for i in 0..<3 { _ = tr.ingest(TF.queued("Q\(i)", at: Int64(i))) }
        _ = tr.drainChanges()
        for i in 3..<25 { _ = tr.ingest(TF.queued("Q\(i)", at: Int64(i))) }
        // Q1 comes back after its eviction, in the same batch.
        _ = tr.ingest(TF.queued("Q1", at: 30))
        let c = tr.drainChanges()
        #expect(c.deleted == [Self.key("Q0"), Self.key("Q2")])
        #expect(c.upserted[Self.key("Q1")] != nil)
        #expect(Set(c.upserted.keys) == Set(tr.messages.keys.map(\.text)))
        #expect(tr.drainChanges().isEmpty)
    }

    @Test func recentAttemptsAreWrittenAndDeletedLikeMessages() throws {
        var tr = TF.tracker()
        let recentKeys: Set<String> = ["\(TF.host)|postfix|~d:example.com", "\(TF.host)|postfix|~h:mx.example.com"]
        _ = tr.ingest(TF.deferred("D1", diag: "451 later", at: 0))
        let first = tr.drainChanges()
        #expect(Set(first.upserted.keys) == recentKeys.union([Self.key("D1")]))
        // Set again: written again.
        _ = tr.ingest(TF.deferred("D1", diag: "451 later again", at: 10))
        #expect(Set(tr.drainChanges().upserted.keys) == recentKeys.union([Self.key("D1")]))
        // Out of the window (and D1 out of its age): all three rows go. The window ends at the latest line's
        // time, so a later line comes first.
        let day = TrackerOptions.day / 1_000_000
        _ = tr.ingest(TF.queued("Z1", at: 8 * day))
        _ = tr.tick(now: TF.t(8 * day))
        let pruned = tr.drainChanges()
        #expect(pruned.deleted == recentKeys.union([Self.key("D1")]))
        #expect(Set(pruned.upserted.keys) == [Self.key("Z1")])

        // Set and pruned within one batch: the recent rows' deletions are asked for all the same (they
        // are not told apart from written ones); the message, never written, asks for none.
        _ = tr.ingest(TF.deferred("D2", diag: "451 later", at: 9 * day))
        _ = tr.ingest(TF.queued("Z2", at: 20 * day))
        _ = tr.tick(now: TF.t(20 * day))
        let again = tr.drainChanges()
        #expect(again.deleted == recentKeys.union([Self.key("Z1")]))
        #expect(Set(again.upserted.keys) == [Self.key("Z2")])
    }

    /// Random lines over a few queue ids (so ids are dropped and reused within and across batches), drained
    /// at random: replaying every drain into a store always gives exactly the live state, a deletion is only
    /// asked for a message row the store holds, and nothing is left to drain after a drain.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func randomSequencesDrainExactlyTheLiveState(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        var tr = TF.tracker {
            $0.maxMessages = 6
            $0.maxAge = 3 * TrackerOptions.hour
            $0.recentAttemptWindow = TrackerOptions.hour
        }
        var store: [String: [UInt8]] = [:]
        var time: Int64 = 0
        func drain() throws {
            let c = tr.drainChanges()
            #expect(Set(c.upserted.keys).isDisjoint(with: c.deleted))
            for k in c.deleted {
                if !MessageTracker.isRecentKey(k) { #expect(store[k] != nil, "deleted \(k), which has no row") }
                store.removeValue(forKey: k)
            }
            for (k, v) in c.upserted { store[k] = v }
            var live: [String: [UInt8]] = [:]
            var w = JSONWriter(capacity: 1024)
            for (k, e) in tr.messages {
                TrackerCoding.write(e.state, to: &w)
                live[k.text] = w.bytes
            }
            for (k, e) in tr.recent {
                TrackerCoding.write(e.attempt, to: &w)
                live[k.text] = w.bytes
            }
            #expect(store == live)
            #expect(tr.drainChanges().isEmpty)
        }
        for _ in 0..<600 {
            time += Int64(rng.next(below: 900))
            let q = "Q\(rng.next(below: 9))"
            let to = "u\(rng.next(below: 3))@d\(rng.next(below: 3)).example"
            switch rng.next(below: 12) {
            case 0, 1: _ = tr.ingest(TF.queued(q, at: time))
            case 2: _ = tr.ingest(TF.header(q, "X-Listmonk-Subscriber", "s-\(time)", at: time))
            case 3, 4: _ = tr.ingest(TF.deferred(q, to: to, diag: "451 at \(time)", at: time))
            case 5: _ = tr.ingest(TF.bounced550(q, to: to, at: time))
            case 6: _ = tr.ingest(TF.sent(q, to: to, at: time))
            case 7:
                let child = "Q\(rng.next(below: 9))"
                _ = tr.ingest(TF.sent(q, to: to, relay: "127.0.0.1[127.0.0.1]:10025", queuedAs: child, at: time))
            case 8: _ = tr.ingest(TF.removed(q, at: time))
            case 9: _ = tr.ingest(TF.expired(q, at: time))
            case 10: _ = tr.tick(now: TF.t(time))
            default: try drain()
            }
        }
        try drain()
    }
}

/// A small seeded generator (SplitMix64), so that a failing sequence can be run again.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(below n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }
}
