import Testing

@testable import BounceCore

@Suite("MessageTracker state persistence")
struct TrackingPersistenceTests {
    /// A day in the life of several messages: chains, expiry with borrowed evidence, Exim, reuse.
    static func script() -> [ParsedLine] {
        var l: [ParsedLine] = []
        l.append(TF.messageID("P1", "p1@lists", at: 0))
        l += TF.listmonkHeaders("P1", at: 0)
        l.append(TF.queued("P1", at: 1))
        l.append(TF.sent("P1", to: "a@example.com", relay: "127.0.0.1[127.0.0.1]:10024", queuedAs: "P2", at: 2))
        l.append(TF.removed("P1", at: 2))
        l.append(TF.queued("P2", at: 3))
        l.append(TF.deferred("P2", to: "a@example.com", diag: "421 try later", code: 421, at: 4))
        l.append(TF.queued("P3", at: 5))
        l += TF.listmonkHeaders("P3", at: 5)
        l.append(TF.deferred("P3", to: "b@example.com", diag: "real attempt of P3", code: nil, at: 6))
        l.append(TF.queued("P4", at: 7))
        l.append(TF.suspended("P4", to: "c@example.com", at: 8))
        // --- the split point for the round trip lies around here ---
        l.append(TF.deferred("P2", to: "a@example.com", diag: "421 try later again", code: 421, at: 600))
        l.append(TF.suspended("P4", to: "c@example.com", at: 700))
        l.append(TF.expired("P4", at: 800))
        l.append(TF.removed("P4", at: 801))
        l.append(TF.bounced550("P2", to: "a@example.com", at: 900))
        l.append(TF.expired("P3", at: 1000))
        l.append(TF.queued("P4", at: 1100))
        l.append(TF.bounced550("P4", to: "d@example.com", at: 1101))
        return l
    }

    @Test(arguments: [3, 8, 12, 13, 15, 18])
    func restoreMidMessageGivesTheSameOutcomes(split: Int) throws {
        let lines = Self.script()
        var whole = TF.tracker()
        let expected = TF.run(&whole, lines)
        #expect(expected.count == 4)

        var before = TF.tracker()
        var got = TF.run(&before, Array(lines[..<split]))
        var stored: [String: [UInt8]] = [:]
        let changes = before.drainChanges()
        for k in changes.deleted { stored.removeValue(forKey: k) }
        for (k, v) in changes.upserted { stored[k] = v }

        // A fresh process: nothing in memory, not even the per-domain recent attempts.
        var after = TF.tracker()
        for (k, v) in stored { try after.restore(key: k, bytes: v) }
        got += TF.run(&after, Array(lines[split...]))
        #expect(got == expected)
    }

    @Test func drainedChangesReplayedIntoAStoreMatchTheLiveState() throws {
        let lines = Self.script()
        var tr = TF.tracker()
        var store: [String: [UInt8]] = [:]
        for (i, line) in lines.enumerated() {
            _ = tr.ingest(line)
            if i % 3 == 0 {
                let c = tr.drainChanges()
                for k in c.deleted { store.removeValue(forKey: k) }
                for (k, v) in c.upserted { store[k] = v }
            }
        }
        let c = tr.drainChanges()
        for k in c.deleted { store.removeValue(forKey: k) }
        for (k, v) in c.upserted { store[k] = v }

        var restored = TF.tracker()
        for (k, v) in store { try restored.restore(key: k, bytes: v) }
        #expect(restored.messages == tr.messages)
        #expect(restored.recent == tr.recent)
        #expect(Set(store.keys) == Set(tr.messages.keys.map(\.text)).union(tr.recent.keys.map(\.text)))
        #expect(tr.drainChanges().isEmpty)
    }

    @Test func keysAndJSONShape() throws {
        var tr = TF.tracker()
        _ = TF.run(&tr, [TF.deferred("K1", to: "x@example.com", diag: "a \"quoted\" text", at: 0)])
        let c = tr.drainChanges()
        let key = "\(TF.host)|postfix|K1"
        let bytes = try #require(c.upserted[key])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{"))
        #expect(text.contains("\"qid\":\"K1\""))
        #expect(MessageTracker.key(host: TF.host, mta: .postfix, queueID: "K1") == key)
    }

    @Test func restoreRejectsGarbageAndForeignKeys() throws {
        var tr = TF.tracker()
        #expect(throws: TrackerRestoreError.self) { try tr.restore(key: "h|postfix|X", bytes: Array("not json".utf8)) }
        var src = TF.tracker()
        _ = TF.run(&src, [TF.queued("K2", at: 0)])
        let bytes = try #require(src.drainChanges().upserted.values.first)
        #expect(throws: TrackerRestoreError.self) { try tr.restore(key: "other|postfix|K2", bytes: bytes) }
        #expect(tr.messageCount == 0)
    }

    @Test func removedShowsUpAsADeletion() {
        var tr = TF.tracker()
        _ = TF.run(&tr, [TF.queued("K3", at: 0)])
        _ = tr.drainChanges()
        _ = TF.run(&tr, [TF.removed("K3", at: 1)])
        let c = tr.drainChanges()
        #expect(c.deleted == ["\(TF.host)|postfix|K3"])
        #expect(c.deletedList == ["\(TF.host)|postfix|K3"])
        #expect(c.upserted.isEmpty)
        _ = TF.run(&tr, [TF.queued("K5", at: 2), TF.queued("K4", at: 2)])
        #expect(tr.drainChanges().upsertList.map(\.key) == ["\(TF.host)|postfix|K4", "\(TF.host)|postfix|K5"])
    }
}
