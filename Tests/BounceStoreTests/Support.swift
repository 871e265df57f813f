import BounceCore
import Foundation
import Synchronization

@testable import BounceStore

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var closure: StateClock { { [self] in self.now } }
}

/// A fresh temporary directory, removed when the value goes away.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "bouncestore-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String = "state.db") -> String { path + "/" + name }
}

func openDB(
    _ path: String, clock: TestClock, busyMilliseconds: Int32 = 2_000, synchronous: StateDBOptions.Synchronous = .full
) throws -> StateDB {
    var options = StateDBOptions()
    options.synchronous = synchronous
    options.clock = clock.closure
    options.busyTimeoutMilliseconds = busyMilliseconds
    return try StateDB(path: path, options: options)
}

/// A bounce event with a distinct identity per `n`.
func makeEvent(
    _ n: Int, email: String? = nil, action: ForwardAction = .forward, fault: Fault = .recipient,
    reason: String = "userunknown", createdAt: String = "2026-11-26T16:21:54Z",
    campaign: String? = "9f1c2d3e-0000-4000-8000-000000000001"
) -> BounceEvent {
    BounceEvent(
        email: email ?? "user\(n)@example.org", subscriberUUID: "6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01",
        campaignUUID: campaign, source: "postfix", type: action == .hold ? .soft : .hard, createdAt: createdAt,
        meta: .init(
            reason: reason, fault: fault, action: action, status: "bounced", dsn: "5.1.1", replyCode: 550,
            smtpStage: .rcpt, remoteHost: "mx.example.org", mta: .postfix, host: "mail1", queueID: "Q\(n)",
            messageID: "<m\(n)@list.example.com>",
            diagnostic: "550 5.1.1 <user\(n)@example.org>: user unknown, \"sorry\"",
            rule: "probe.userunknown.text", evidence: "text contains \"user unknown\"", sender: "list@example.com"),
        dedupKey: "mail1|Q\(n)|<m\(n)@list.example.com>|user\(n)@example.org|bounced")
}

/// Counts rows with a raw SQL query on a separate connection.
func count(_ path: String, _ sql: String) throws -> Int64 {
    let c = try SQLiteConnection(path: path)
    return try c.scalarInt(sql) ?? 0
}

/// Every outcome count as the report reads it: the folded rows (`outcome_counts`) and those still waiting
/// (`outcome_deltas`) summed per cell, as `day|host|domain|campaign|outcome|n` in key order.
let summedOutcomeCountsSQL = """
    SELECT day, host, domain, campaign, outcome, SUM(n) FROM (
        SELECT day, host, domain, campaign, outcome, n FROM outcome_counts
        UNION ALL SELECT day, host, domain, campaign, outcome, n FROM outcome_deltas)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    """

/// The sum of `n` over one outcome, folded or not.
func outcomeTotal(_ path: String, _ outcome: String) throws -> Int64 {
    try count(
        path,
        "SELECT COALESCE(SUM(n), 0) FROM (SELECT n FROM outcome_counts WHERE outcome = '\(outcome)' "
            + "UNION ALL SELECT n FROM outcome_deltas WHERE outcome = '\(outcome)')")
}
