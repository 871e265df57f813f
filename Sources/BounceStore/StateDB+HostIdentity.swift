import BounceCore

/// What ``StateDB/rehostIdentities(fingerprint:identity:)`` changed.
public struct RehostResult: Sendable, Hashable {
    /// Host parts found in stored dedup keys that now have another identity, old → new.
    public var renamed: [String: String] = [:]
    /// Rows whose dedup key was rewritten, over `dedup_keys`, `outbox` and `bounces`.
    public var rows = 0
    /// False when the stored fingerprint matched and nothing was read.
    public var scanned = false
    public init() {}
}

extension StateDB {
    /// The `kv` key holding the fingerprint of the host identity the stored dedup keys are written in.
    static let hostIdentityKey = "host_identity"

    /// Rewrites the host part of every stored dedup key (`v2|<host>|...`) to the identity `identity` gives
    /// it, so that a bounce recorded before hosts were read (every key carried `general.host_name` as
    /// written) or before an alias was added keeps matching: re-reading its line finds the key, and nothing
    /// is sent twice. The outbox row's `mta_host` and the local store's `meta.host` follow their key.
    ///
    /// Runs once per host configuration: `fingerprint` (of the aliases and `host_name`) is stored, and a
    /// later call with the same one reads nothing. A key whose new form already exists (both identities
    /// were recorded) is left as it is: either form finds the bounce. Host parts with an escape (`%`) are
    /// left alone: no host name contains `%` or `|`.
    @discardableResult
    public func rehostIdentities(fingerprint: String, identity: (String) -> String) throws(StateDBError)
        -> RehostResult
    {
        let now = Timestamps.micros(clock())
        return try inTransaction { c in
            var result = RehostResult()
            let stored = try c.scalarText("SELECT value FROM kv WHERE key = ?", [.text(Self.hostIdentityKey)])
            guard stored != fingerprint else { return result }
            result.scanned = true
            var hosts: Set<String> = []
            // The host part: from after `v2|` up to the next `|`.
            let part = "substr(dedup_key, 4, instr(substr(dedup_key, 4), '|') - 1)"
            for table in ["dedup_keys", "outbox", "bounces"] {
                try c.prepare(
                    "SELECT DISTINCT \(part) FROM \(table) WHERE dedup_key >= 'v2|' AND dedup_key < 'v2}'"
                ).query { hosts.insert($0.text(0)) }
            }
            for old in hosts.sorted() where !old.isEmpty && !old.contains("%") {
                let new = identity(old)
                guard new != old, !new.isEmpty, !new.contains("|"), !new.contains("%") else { continue }
                result.renamed[old] = new
                let from = "v2|" + old + "|"
                let to = "v2|" + new + "|"
                // `|` is 0x7C and `}` 0x7D: [v2|old|, v2|old}) is exactly the keys with this host part.
                let range: [SQLValue] = [.text(from), .text("v2|" + old + "}")]
                // substr counts characters, not bytes.
                let rest = SQLValue.int(Int64(from.unicodeScalars.count + 1))
                try Self.rehostOutcomeCounts(c, from: from, to: to, old: old, new: new, range: range)
                result.rows += try c.run(
                    "UPDATE OR IGNORE dedup_keys SET dedup_key = ? || substr(dedup_key, ?) "
                        + "WHERE dedup_key >= ? AND dedup_key < ?",
                    [.text(to), rest] + range)
                result.rows += try c.run(
                    "UPDATE OR IGNORE outbox SET dedup_key = ? || substr(dedup_key, ?), "
                        + "mta_host = CASE WHEN mta_host = ? THEN ? ELSE mta_host END "
                        + "WHERE dedup_key >= ? AND dedup_key < ?",
                    [.text(to), rest, .text(old), .text(new)] + range)
                result.rows += try c.run(
                    "UPDATE OR IGNORE bounces SET dedup_key = ? || substr(dedup_key, ?), "
                        + "meta = CASE WHEN json_valid(meta) AND json_extract(meta, '$.host') = ? "
                        + "THEN json_set(meta, '$.host', ?) ELSE meta END "
                        + "WHERE dedup_key >= ? AND dedup_key < ?",
                    [.text(to), rest, .text(old), .text(new)] + range)
            }
            try c.run(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) "
                    + "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [.text(Self.hostIdentityKey), .text(fingerprint), .int(now)])
            return result
        }
    }
}
