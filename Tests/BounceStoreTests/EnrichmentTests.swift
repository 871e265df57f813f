import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// The same bounce as `makeEvent(n)`, as a reader that never saw the message's header, cleanup and qmgr
/// lines stores it: no UUIDs, no Message-ID, no sender.
func unjoinedEvent(_ n: Int) -> BounceEvent {
    var e = makeEvent(n, campaign: nil)
    e.subscriberUUID = nil
    e.meta.messageID = nil
    e.meta.sender = nil
    return e
}

/// A state database whose outbox bodies are the webhook JSON, as the daemon writes them.
func openWebhookDB(_ path: String, clock: TestClock) throws -> StateDB {
    var options = StateDBOptions()
    options.clock = clock.closure
    options.bodyEncoder = { Array($0.webhookJSON().utf8) }
    return try StateDB(path: path, options: options)
}

private func outboxRows(_ db: StateDB) throws -> [OutboxRow] { try db.list(OutboxQuery(states: [])) }

private func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

private func enrichNote(_ path: String, _ key: String) throws -> String? {
    let c = try SQLiteConnection(path: path)
    return try c.scalarText("SELECT enrich_note FROM dedup_keys WHERE dedup_key = ?", [.text(key)])
}

@Suite("Enrichment: a later reader's UUIDs reach a bounce stored without them")
struct EnrichmentTests {
    static let subscriber = "6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01"
    static let campaign = "9f1c2d3e-0000-4000-8000-000000000001"

    @Test func aPendingRowGainsTheUUIDsAndStaysOneRow() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openWebhookDB(dir.file(), clock: clock)
        #expect(try db.commit(Batch(events: [unjoinedEvent(1)])).inserted == 1)
        let before = try #require(try outboxRows(db).first)
        #expect(try json(before.body)["subscriber_uuid"] == nil)

        // The backfill of the rotated file: same dedup key, with everything.
        let result = try db.commit(Batch(events: [makeEvent(1)]))
        #expect(result == BatchResult(inserted: 0, duplicates: 1, enriched: 1))

        let rows = try outboxRows(db)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.id == before.id && row.state == .pending && row.attempts == 0)
        // Exactly what a reader that saw everything would have enqueued.
        #expect(row.body == makeEvent(1).webhookJSON())
        let body = try json(row.body)
        #expect(body["subscriber_uuid"] as? String == Self.subscriber)
        #expect(body["campaign_uuid"] as? String == Self.campaign)
        #expect((body["meta"] as? [String: Any])?["message_id"] as? String == "<m1@list.example.com>")

        // Read a third time: nothing left to add, nothing counted.
        #expect(try db.commit(Batch(events: [makeEvent(1)])) == BatchResult(duplicates: 1))
        #expect(try outboxRows(db).first?.body == makeEvent(1).webhookJSON())
    }

    @Test func aKnownUUIDIsKeptAndOnlyTheMissingOneIsAdded() throws {
        let dir = TempDir()
        let db = try openWebhookDB(dir.file(), clock: TestClock())
        var first = makeEvent(1, campaign: nil)
        first.meta.messageID = nil
        try db.commit(Batch(events: [first]))
        let result = try db.commit(Batch(events: [makeEvent(1)]))
        #expect(result.enriched == 1 && result.enrichConflicts == 0)
        #expect(try outboxRows(db).first?.body == makeEvent(1).webhookJSON())
    }

    @Test func heldAndDeadRowsAreNotDeliveredAndAreEnriched() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        var held = unjoinedEvent(1)
        held.meta.action = .hold
        try db.commit(Batch(events: [held, unjoinedEvent(2)]))
        let dead = try #require(try db.claimDue(limit: 10).first)
        try db.moveToDead(dead.id, status: 400, body: "{\"message\":\"Invalid email.\"}", error: "400")

        let result = try db.commit(Batch(events: [makeEvent(1), makeEvent(2)]))
        #expect(result.enriched == 2 && result.enrichTooLate == 0)
        let rows = try outboxRows(db)
        #expect(rows.map(\.state) == [.held, .dead])
        for row in rows {
            let body = try json(row.body)
            #expect(body["subscriber_uuid"] as? String == Self.subscriber)
            #expect(body["campaign_uuid"] as? String == Self.campaign)
            // The default encoder writes the dedup key too; it is the row's, unchanged.
            #expect(body["dedup_key"] as? String == row.dedupKey)
        }
        // A held row keeps its own hold: enrichment touches only the merged fields.
        #expect((try json(rows[0].body)["meta"] as? [String: Any])?["action"] as? String == "hold")
        // The retried dead letter carries the UUIDs.
        #expect(try db.retryDead(ids: [dead.id]) == 1)
        #expect(try json(try #require(try db.claimDue(limit: 10).first).body)["subscriber_uuid"] as? String != nil)
    }

    @Test func theLocalStoreRowGainsTheUUIDsAndMessageID() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [unjoinedEvent(1)], sink: .localStore))
        let result = try db.commit(Batch(events: [makeEvent(1)], sink: .localStore))
        #expect(result.enriched == 1 && result.duplicates == 1)
        let stored = try db.storedBounces()
        #expect(stored.count == 1)
        #expect(stored.first?.subscriberUUID == Self.subscriber && stored.first?.campaignUUID == Self.campaign)
        let meta = try json(try #require(stored.first).meta)
        #expect(meta["message_id"] as? String == "<m1@list.example.com>")
        #expect(meta["sender"] as? String == "list@example.com")
        #expect(meta["reason"] as? String == "userunknown")
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outbox") == 0)
    }

    @Test func aDeliveredRowStaysAsSentAndIsCountedOnce() throws {
        let dir = TempDir()
        let db = try openWebhookDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [unjoinedEvent(1)]))
        let row = try #require(try db.claimDue(limit: 1).first)
        try db.markSent(row.id, status: 200)

        let result = try db.commit(Batch(events: [makeEvent(1)]))
        #expect(result.enriched == 0 && result.enrichTooLate == 1 && result.duplicates == 1)
        let notice = try #require(result.enrichmentNotices.first)
        #expect(notice.kind == .tooLate && notice.dedupKey == makeEvent(1).dedupKey)
        #expect(notice.email == "user1@example.org")
        #expect(notice.detail.contains(Self.subscriber) && notice.detail.contains("after the bounce was delivered"))
        let after = try #require(try outboxRows(db).first)
        #expect(after.state == .sent && after.body == unjoinedEvent(1).webhookJSON())
        #expect(try enrichNote(dir.file(), makeEvent(1).dedupKey)?.hasPrefix("too_late: ") == true)

        // A second backfill of the same file: a plain duplicate, no second count or log line.
        #expect(try db.commit(Batch(events: [makeEvent(1)])) == BatchResult(duplicates: 1))
    }

    @Test func aRowBeingDeliveredIsNotRewrittenButARetryCarriesTheUUIDs() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openWebhookDB(dir.file(), clock: clock)
        try db.commit(Batch(events: [unjoinedEvent(1)]))
        // The dispatcher claimed the row and holds its body: rewriting it now would record a UUID that the
        // request in flight does not carry.
        let claimed = try #require(try db.claimDue(limit: 1, claimTimeout: 300).first)
        let during = try db.commit(Batch(events: [makeEvent(1)]))
        #expect(during.enriched == 0 && during.enrichTooLate == 1)
        #expect(during.enrichmentNotices.first?.detail.contains("being delivered") == true)
        #expect(try outboxRows(db).first?.body == claimed.body)

        // The attempt failed: the row is pending and unclaimed again; the next re-read merges.
        try db.scheduleRetry(claimed.id, at: clock.now.addingTimeInterval(60), error: "timeout")
        let after = try db.commit(Batch(events: [makeEvent(1)]))
        #expect(after == BatchResult(duplicates: 1, enriched: 1))
        #expect(try outboxRows(db).first?.body == makeEvent(1).webhookJSON())

        // A claim that has expired (its dispatcher died) is no longer in flight.
        try db.commit(Batch(events: [unjoinedEvent(2)]))
        clock.advance(60)
        _ = try db.claimDue(limit: 10, claimTimeout: 30)
        clock.advance(31)
        #expect(try db.commit(Batch(events: [makeEvent(2)])).enriched == 1)
    }

    @Test func disagreeingUUIDsKeepTheFirstAndAreCountedOnce() throws {
        let dir = TempDir()
        let db = try openWebhookDB(dir.file(), clock: TestClock())
        var first = makeEvent(1)
        first.meta.messageID = nil
        try db.commit(Batch(events: [first], sink: .localStore))
        try db.commit(Batch(events: [makeEvent(2)]))

        var other = makeEvent(1)
        other.subscriberUUID = "11111111-2222-4333-8444-555555555555"
        var other2 = makeEvent(2)
        other2.campaignUUID = "11111111-2222-4333-8444-555555555555"
        let result = try db.commit(Batch(events: [other, other2]))
        #expect(result.enrichConflicts == 2 && result.enriched == 0 && result.duplicates == 2)
        #expect(result.enrichmentNotices.map(\.kind) == [.conflict, .conflict])
        #expect(result.enrichmentNotices.first?.detail.contains("subscriber_uuid \(Self.subscriber) is stored") == true)

        // Nothing of the disagreeing reader was taken, not even the Message-ID the stored one lacks.
        let stored = try #require(try db.storedBounces().first)
        #expect(stored.subscriberUUID == Self.subscriber)
        #expect(try json(stored.meta)["message_id"] == nil)
        #expect(try outboxRows(db).first?.body == makeEvent(2).webhookJSON())
        #expect(try db.commit(Batch(events: [other, other2])) == BatchResult(duplicates: 2))
        // A UUID in another case is the same UUID.
        var upper = makeEvent(2)
        upper.subscriberUUID = Self.subscriber.uppercased()
        #expect(try db.commit(Batch(events: [upper])) == BatchResult(duplicates: 1))
    }

    @Test func aRowReleasedIntoTheLocalStoreIsEnrichedThereNotReportedLate() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        var held = unjoinedEvent(1)
        held.meta.action = .hold
        try db.commit(Batch(events: [held], sink: .localStore))
        #expect(try db.releaseHeld(reason: "userunknown", sink: .localStore) == 1)
        let result = try db.commit(Batch(events: [makeEvent(1)], sink: .localStore))
        #expect(result.enriched == 1 && result.enrichTooLate == 0)
        #expect(try db.storedBounces().first?.campaignUUID == Self.campaign)
    }

    @Test func anOutboxBodyThatDoesNotReadBackIsLeftAndReportedOnce() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [unjoinedEvent(1)]))
        let raw = try SQLiteConnection(path: dir.file())
        try raw.run("UPDATE outbox SET body = '{\"email\":\"user1@example.org\"}'")
        let result = try db.commit(Batch(events: [makeEvent(1)]))
        #expect(result.enrichTooLate == 1 && result.enriched == 0)
        #expect(try outboxRows(db).first?.body == "{\"email\":\"user1@example.org\"}")
        // Not JSON at all: the batch still commits.
        try raw.run("UPDATE outbox SET body = 'not json'")
        let next = try db.commit(
            Batch(positions: [SourcePosition(sourceID: "src", offset: 10)], events: [makeEvent(1)]))
        #expect(next.duplicates == 1)
        #expect(try db.position(of: "src")?.offset == 10)
    }

    @Test func aDatabaseWrittenBeforeTheMigrationOpensAndEnriches() throws {
        let dir = TempDir()
        let clock = TestClock()
        do {
            let db = try openWebhookDB(dir.file(), clock: clock)
            try db.commit(Batch(events: [unjoinedEvent(1), unjoinedEvent(2)]))
            let row = try #require(try db.claimDue(limit: 1).first)
            try db.markSent(row.id)
        }
        // Back to what version 1 left: no enrich_note column, version 1 recorded.
        do {
            let raw = try SQLiteConnection(path: dir.file())
            try raw.execute("ALTER TABLE dedup_keys DROP COLUMN enrich_note")
            try raw.execute(
                "DROP TABLE outcome_counts; DROP TABLE outcome_keys; DROP TABLE runtime_facts; DROP TABLE sent_index; "
                    + "DROP TABLE bounce_joins; DROP TABLE outcome_claims; DROP TABLE sent_log; DROP TABLE outcome_deltas"
            )
            try raw.run("DELETE FROM schema_migrations WHERE version > 1")
            #expect(
                try raw.scalarInt("SELECT COUNT(*) FROM pragma_table_info('dedup_keys') WHERE name = 'enrich_note'")
                    == 0)
        }
        let db = try openWebhookDB(dir.file(), clock: clock)
        #expect(try db.schemaVersion == Schema.latestVersion)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM dedup_keys WHERE enrich_note IS NULL") == 2)
        let result = try db.commit(Batch(events: [makeEvent(1), makeEvent(2)]))
        #expect(result.enriched == 1 && result.enrichTooLate == 1)
        #expect(try outboxRows(db).map(\.state) == [.sent, .pending])
        #expect(try outboxRows(db).last?.body == makeEvent(2).webhookJSON())
        #expect(try db.quickCheck() == ["ok"])
    }
}
