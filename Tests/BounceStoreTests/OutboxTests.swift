import BounceCore
import Foundation
import Testing

@testable import BounceStore

@Suite("Outbox: claim, sent, retry, dead, release, purge, status, list")
struct OutboxTests {
    @Test func claimSentRetryDeadTransitions() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(Batch(events: (1...5).map { makeEvent($0) }))

        let first = try db.claimDue(limit: 2)
        #expect(first.map(\.email) == ["user1@example.org", "user2@example.org"])
        // Claimed rows are not handed out twice.
        let second = try db.claimDue(limit: 10)
        #expect(second.map(\.email) == ["user3@example.org", "user4@example.org", "user5@example.org"])
        #expect(try db.claimDue(limit: 10).isEmpty)

        try db.markSent(first[0].id, status: 200)
        try db.scheduleRetry(
            first[1].id, at: clock.now.addingTimeInterval(60), error: "connection refused", status: nil)
        try db.moveToDead(second[0].id, status: 400, body: "{\"message\":\"Invalid email.\"}", error: "rejected")
        try db.scheduleRetry(second[1].id, at: clock.now.addingTimeInterval(10), error: "HTTP 503", status: 503)

        var status = try db.status()
        #expect(status.sent == 1 && status.dead == 1 && status.pending == 3 && status.held == 0)
        // Retried rows are not due before their time; the unreleased claim on user5 holds too.
        #expect(try db.claimDue(limit: 10).isEmpty)
        clock.advance(11)
        let due = try db.claimDue(limit: 10)
        #expect(due.map(\.email) == ["user4@example.org"])
        #expect(due[0].attempts == 1 && due[0].lastStatus == 503 && due[0].lastError == "HTTP 503")
        clock.advance(60)
        #expect(try db.claimDue(limit: 10).map(\.email) == ["user2@example.org"])
        // A claim that was never answered (the process died) comes back after the claim timeout...
        clock.advance(300)
        #expect(
            try db.claimDue(limit: 10).map(\.email).sorted() == [
                "user2@example.org", "user4@example.org", "user5@example.org",
            ])
        // ...or at once when the next lease holder releases the stale claims.
        #expect(try db.releaseClaims() == 3)
        #expect(try db.claimDue(limit: 10).count == 3)

        // Sent is final: a late retry or dead mark does not undo it.
        try db.scheduleRetry(first[0].id, at: clock.now, error: "late", status: nil)
        #expect(try db.row(first[0].id)?.state == .sent)
        #expect(try db.row(first[0].id)?.sentAt != nil)

        let dead = try db.list(OutboxQuery(states: [.dead]))
        #expect(dead.count == 1)
        #expect(dead[0].lastStatus == 400 && dead[0].lastBody == "{\"message\":\"Invalid email.\"}")
        #expect(dead[0].deadAt == clock.now.addingTimeInterval(-371))

        #expect(try db.retryDead(ids: [dead[0].id, first[0].id]) == 1)
        let revived = try #require(try db.row(dead[0].id))
        #expect(revived.state == .pending && revived.attempts == 0)
        status = try db.status()
        #expect(status.dead == 0 && status.pending == 4)
    }

    @Test func retryAllDeadAndPurge() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(Batch(events: (1...4).map { makeEvent($0) }))
        let rows = try db.claimDue(limit: 4)
        try db.moveToDead(rows[0].id, status: 400, body: "a", error: "x")
        clock.advance(100)
        let cutoff = clock.now
        clock.advance(100)
        try db.moveToDead(rows[1].id, status: 400, body: "b", error: "x")
        try db.moveToDead(rows[2].id, status: 400, body: "c", error: "x")
        #expect(try db.purgeDead(before: cutoff) == 1)
        #expect(try db.status().dead == 2)
        #expect(try db.retryAllDead() == 2)
        #expect(try db.status().dead == 0)
        let again = try db.claimDue(limit: 10)
        try db.moveToDead(again[0].id, status: 400, body: "d", error: "x")
        #expect(try db.purgeDead() == 1)
        #expect(try db.status().dead == 0)
        // A purged dead letter's key is still known: reading the line again adds nothing.
        #expect(try db.commit(Batch(events: [makeEvent(1), makeEvent(2)])).duplicates == 2)
    }

    @Test func releaseHeldByIDAndByReason() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(
            Batch(events: [
                makeEvent(1, action: .hold, fault: .sender, reason: "blocked"),
                makeEvent(2, action: .hold, fault: .sender, reason: "spamdetected"),
                makeEvent(3, action: .hold, fault: .sender, reason: "blocked"),
            ]))
        let held = try db.list(OutboxQuery(states: [.held]))
        #expect(held.count == 3)
        #expect(try db.list(OutboxQuery(states: [.held], reason: "blocked")).count == 2)
        #expect(try db.releaseHeld(ids: [held[1].id]) == 1)
        #expect(try db.releaseHeld(reason: "blocked") == 2)
        #expect(try db.releaseHeld(reason: "blocked") == 0)
        let due = try db.claimDue(limit: 10)
        #expect(due.count == 3 && due.allSatisfy { $0.holdReason == nil })
    }

    @Test func ageHeldRowsAreFiledAsTooOld() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        var old = makeEvent(1, action: .hold, fault: .recipient)
        old.meta.holdReason = "older than 30 days when processed"
        let sender = makeEvent(2, action: .hold, fault: .sender, reason: "blocked")
        try db.commit(Batch(events: [old, sender]))
        let held = try db.list(OutboxQuery(states: [.held]))
        #expect(Set(held.compactMap(\.holdReason)) == ["too-old", "sender-fault"])
        #expect(try db.releaseHeld(reason: "too-old") == 1)
        #expect(try db.claimDue(limit: 10).map(\.email) == ["user1@example.org"])
    }

    @Test func statusCountsAndOldestPendingAge() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        #expect(try db.status().oldestPendingAge == nil)
        try db.commit(Batch(events: [makeEvent(1)]))
        clock.advance(30)
        try db.commit(Batch(events: [makeEvent(2), makeEvent(3, action: .hold, fault: .sender)]))
        clock.advance(15)
        let status = try db.status()
        #expect(status.pending == 2 && status.held == 1 && status.sent == 0 && status.dead == 0)
        #expect(status.oldestPendingAge == 45)
    }

    @Test func listFiltersAndPages() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(
            Batch(events: [
                makeEvent(1, createdAt: "2026-11-01T00:00:00Z"), makeEvent(2, createdAt: "2026-11-20T00:00:00Z"),
                makeEvent(3, createdAt: "2026-11-25T00:00:00Z"),
            ]))
        let since = Date(timeIntervalSince1970: Double(Timestamps.parseRFC3339("2026-11-15T00:00:00Z")!) / 1e6)
        #expect(
            try db.list(OutboxQuery(states: [.pending], since: since)).map(\.email) == [
                "user2@example.org", "user3@example.org",
            ])
        #expect(try db.list(OutboxQuery(states: [], email: "USER3@example.org")).count == 1)
        let page1 = try db.list(OutboxQuery(states: [.pending], limit: 2))
        let page2 = try db.list(OutboxQuery(states: [.pending], limit: 2, afterID: page1.last!.id))
        #expect(page1.count == 2 && page2.map(\.email) == ["user3@example.org"])
        #expect(try db.list(OutboxQuery(states: [.dead])).isEmpty)
    }

    @Test func dispatcherHooksReleaseNextDueAndBatchMarkSent() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        #expect(try db.nextDue() == nil)
        try db.commit(Batch(events: (1...4).map { makeEvent($0) } + [makeEvent(9, action: .hold, fault: .sender)]))
        #expect(try db.nextDue() == clock.now)

        let rows = try db.claimDue(limit: 4, claimTimeout: 60)
        #expect(rows.count == 4)
        // All claimed: the next look is when the claims run out (the held row does not count).
        #expect(try db.nextDue() == clock.now.addingTimeInterval(60))
        // A pause answer gives the row back without counting an attempt.
        try db.releaseClaim(rows[0].id)
        let again = try db.claimDue(limit: 4)
        #expect(again.map(\.id) == [rows[0].id] && again[0].attempts == 0)

        try db.scheduleRetry(rows[1].id, at: clock.now.addingTimeInterval(30), error: "timeout")
        let failedAt = clock.now
        clock.advance(40)
        try db.scheduleRetry(rows[1].id, at: clock.now.addingTimeInterval(30), error: "timeout")
        // The first failure stays the first: the dispatcher's maximum age counts from it.
        #expect(try db.row(rows[1].id)?.firstFailureAt == failedAt)
        #expect(try db.row(rows[1].id)?.attempts == 2)

        try db.markSent([rows[0].id, rows[2].id, rows[3].id], status: 200, at: clock.now)
        let status = try db.status()
        #expect(status.sent == 3 && status.pending == 1 && status.held == 1)
        #expect(try db.nextDue() == clock.now.addingTimeInterval(30))
        #expect(try db.row(rows[2].id)?.sentAt == clock.now)
    }
}
