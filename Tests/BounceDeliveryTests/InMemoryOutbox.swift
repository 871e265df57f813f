import BounceDelivery
import BounceStore
import Foundation

/// The outbox protocol over a dictionary, for dispatcher tests that do not need the state database.
actor InMemoryOutbox: DeliveryOutbox {
    enum RowState: Sendable, Hashable { case pending, sent, dead }

    struct Row: Sendable {
        var item: OutboxItem
        var state: RowState = .pending
        var nextAttempt: Date
        var lastError: String?
        var lastStatus: Int?
        var deadBody: String?
        var sentAt: Date?
    }

    private(set) var rows: [Int64: Row] = [:]
    private var claimed: Set<Int64> = []
    /// Ids in enqueue order, and where the first possibly pending one is, so a large backlog claims in O(limit).
    private var order: [Int64] = []
    private var firstOpen = 0
    private var nextID: Int64 = 1

    @discardableResult
    func enqueue(body: String, dedupKey: String, at: Date = Date()) -> Int64 {
        let id = nextID
        nextID += 1
        rows[id] = Row(item: OutboxItem(id: id, dedupKey: dedupKey, body: body, enqueuedAt: at), nextAttempt: at)
        order.append(id)
        return id
    }

    func claimDue(limit: Int, now: Date) async throws -> [OutboxItem] {
        while firstOpen < order.count, rows[order[firstOpen]]?.state != .pending { firstOpen += 1 }
        var due: [OutboxItem] = []
        var index = firstOpen
        while index < order.count, due.count < limit {
            if let row = rows[order[index]], row.state == .pending, row.nextAttempt <= now,
                !claimed.contains(row.item.id)
            {
                due.append(row.item)
            }
            index += 1
        }
        claimed.formUnion(due.map(\.id))
        return due
    }

    func markSent(id: Int64, at: Date) async throws {
        claimed.remove(id)
        rows[id]?.state = .sent
        rows[id]?.sentAt = at
    }

    func scheduleRetry(id: Int64, at: Date, error: String, status: Int?) async throws {
        claimed.remove(id)
        guard var row = rows[id] else { return }
        row.item.attempts += 1
        if row.item.firstFailureAt == nil { row.item.firstFailureAt = Date() }
        row.nextAttempt = at
        row.lastError = error
        row.lastStatus = status
        rows[id] = row
    }

    func markDead(id: Int64, at: Date, status: Int?, body: String) async throws {
        claimed.remove(id)
        rows[id]?.state = .dead
        rows[id]?.lastStatus = status
        rows[id]?.deadBody = body
    }

    func release(id: Int64) async throws { claimed.remove(id) }

    /// Pauses and resumptions the dispatcher recorded, in order.
    private(set) var facts: [RuntimeFact] = []
    func record(_ fact: RuntimeFact) async throws { facts.append(fact) }

    func nextDue() async throws -> Date? {
        rows.values.filter { $0.state == .pending }.map(\.nextAttempt).min()
    }

    func count(_ state: RowState) -> Int { rows.values.filter { $0.state == state }.count }
    func row(_ id: Int64) -> Row? { rows[id] }
}
