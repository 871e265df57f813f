import Foundation
import Testing

@testable import BounceStore

@Suite("Delivery lease")
struct LeaseTests {
    @Test func onlyOneConnectionHoldsTheLease() throws {
        let dir = TempDir()
        let clock = TestClock()
        let run = try openDB(dir.file(), clock: clock)
        let backfill = try openDB(dir.file(), clock: clock)

        #expect(try run.acquireLease(owner: "run", ttl: 30).isAcquired)
        guard case .heldBy(let holder) = try backfill.acquireLease(owner: "backfill", ttl: 30) else {
            Issue.record("the second connection got the lease")
            return
        }
        #expect(holder.owner == "run" && holder.pid == getpid() && holder.expiresAt == clock.now.addingTimeInterval(30))
        #expect(try backfill.leaseHolder()?.owner == "run")

        // Renewing keeps it; the other side still sees it held.
        clock.advance(20)
        #expect(try run.renewLease(owner: "run", ttl: 30))
        clock.advance(20)
        #expect(try !backfill.acquireLease(owner: "backfill", ttl: 30).isAcquired)
        // The holder re-acquiring is a renewal.
        #expect(try run.acquireLease(owner: "run", ttl: 30).isAcquired)

        // A holder that stops renewing (hung or dead on another host) loses it at expiry.
        clock.advance(31)
        #expect(try backfill.leaseHolder() == nil)
        #expect(try backfill.acquireLease(owner: "backfill", ttl: 30).isAcquired)
        #expect(try !run.renewLease(owner: "run", ttl: 30))
        #expect(try !run.acquireLease(owner: "run", ttl: 30).isAcquired)

        // Released at shutdown: free at once.
        try backfill.releaseLease(owner: "backfill")
        #expect(try backfill.leaseHolder() == nil)
        #expect(try run.acquireLease(owner: "run", ttl: 30).isAcquired)
    }

    @Test func aDeadProcessOnThisHostLosesTheLeaseAtOnce() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        // A lease left by a process that no longer exists (no pid is Int32.max on Linux: pid_max ≤ 2^22).
        let raw = try SQLiteConnection(path: dir.file())
        try raw.run(
            "INSERT INTO delivery_lease (name, owner, pid, host, acquired_at, expires_at) VALUES ('delivery', 'ghost', ?, ?, 0, ?)",
            [.int(Int64(Int32.max)), .text(StateDB.hostName), .int(Timestamps.micros(clock.now) + 3_600_000_000)])
        #expect(try db.acquireLease(owner: "run", ttl: 30).isAcquired)

        // The same row on another host is respected until it expires.
        try raw.run("UPDATE delivery_lease SET owner = 'ghost', host = 'elsewhere', pid = ? ", [.int(Int64(Int32.max))])
        #expect(try !db.acquireLease(owner: "run", ttl: 30).isAcquired)
    }
}
