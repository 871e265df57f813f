import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who holds the delivery lease.
public struct LeaseHolder: Sendable, Hashable {
    /// The holder's chosen id (unique per process, e.g. `run-<pid>-<random>`).
    public var owner: String
    public var pid: Int32
    public var host: String
    public var expiresAt: Date
}

/// The outcome of ``StateDB/acquireLease(owner:ttl:)``.
public enum LeaseResult: Sendable, Hashable {
    /// This owner holds the lease until the date.
    case acquired(expiresAt: Date)
    /// Someone else holds it; enqueue only, and try again later.
    case heldBy(LeaseHolder)

    public var isAcquired: Bool {
        if case .acquired = self { return true }
        return false
    }
}

extension StateDB {
    private static let leaseName = "delivery"

    /// Acquires (or, for the same owner, renews) the delivery lease for `ttl`.
    ///
    /// Only one process at a time delivers: the lease holder. Another process (a backfill beside
    /// `run`) sees it held and only enqueues. A holder that dies stops renewing and its lease expires
    /// after `ttl`; one on this host whose pid no longer exists is taken over at once.
    public func acquireLease(owner: String, ttl: TimeInterval) throws(StateDBError) -> LeaseResult {
        let now = Timestamps.micros(clock())
        let expires = now + Int64(ttl * 1_000_000)
        let pid = getpid()
        let host = Self.hostName
        return try inTransaction { c in
            var current: LeaseHolder?
            try c.cached("SELECT owner, pid, host, expires_at FROM delivery_lease WHERE name = ?").query([
                .text(Self.leaseName)
            ]) {
                current = LeaseHolder(
                    owner: $0.text(0), pid: Int32(truncatingIfNeeded: $0.int64(1)), host: $0.text(2),
                    expiresAt: Timestamps.date($0.int64(3)))
            }
            if let current, current.owner != owner, Timestamps.micros(current.expiresAt) > now,
                !(current.host == host && !Self.processExists(current.pid))
            {
                return .heldBy(current)
            }
            let acquiredAt = current?.owner == owner ? nil : now
            try c.run(
                """
                INSERT INTO delivery_lease (name, owner, pid, host, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
                    acquired_at = COALESCE(?, acquired_at), expires_at = excluded.expires_at
                """,
                [
                    .text(Self.leaseName), .text(owner), .int(Int64(pid)), .text(host), .int(now), .int(expires),
                    .int(acquiredAt),
                ])
            return .acquired(expiresAt: Timestamps.date(expires))
        }
    }

    /// Extends the lease if `owner` still holds it. False when it was lost (expired and taken).
    public func renewLease(owner: String, ttl: TimeInterval) throws(StateDBError) -> Bool {
        let now = Timestamps.micros(clock())
        let expires = now + Int64(ttl * 1_000_000)
        return try withConnection { c in
            try c.run(
                "UPDATE delivery_lease SET expires_at = ? WHERE name = ? AND owner = ? AND expires_at > ?",
                [.int(expires), .text(Self.leaseName), .text(owner), .int(now)]) == 1
        }
    }

    /// Gives the lease up (at shutdown) so another process may deliver at once.
    public func releaseLease(owner: String) throws(StateDBError) {
        try withConnection { c in
            try c.run("DELETE FROM delivery_lease WHERE name = ? AND owner = ?", [.text(Self.leaseName), .text(owner)])
        }
    }

    /// The current holder, if the lease is held and not expired.
    public func leaseHolder() throws(StateDBError) -> LeaseHolder? {
        let now = Timestamps.micros(clock())
        return try withConnection { c in
            var holder: LeaseHolder?
            try c.cached("SELECT owner, pid, host, expires_at FROM delivery_lease WHERE name = ? AND expires_at > ?")
                .query([.text(Self.leaseName), .int(now)]) {
                    holder = LeaseHolder(
                        owner: $0.text(0), pid: Int32(truncatingIfNeeded: $0.int64(1)), host: $0.text(2),
                        expiresAt: Timestamps.date($0.int64(3)))
                }
            return holder
        }
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// kill(pid, 0): ESRCH means no such process. EPERM means it exists under another user.
    static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno != ESRCH
    }
}
