extension StateDB {
    /// Adds to named counters kept in the key/value table (`count.<name>`), in one transaction, so
    /// processes that run beside each other (many `ingest-mail` pipes and the daemon) never lose an
    /// increment. Used for what is counted but makes no event (delay warnings, auto-replies, unreadable
    /// mails).
    public func addToCounters(_ deltas: [String: Int]) throws(StateDBError) {
        guard !deltas.isEmpty else { return }
        let now = Timestamps.micros(clock())
        try inTransaction { c in try Self.addCounters(c, deltas, now: now) }
    }

    /// ``addToCounters(_:)`` inside a transaction already open.
    static func addCounters(_ c: SQLiteConnection, _ deltas: [String: Int], now: Int64) throws {
        for (name, delta) in deltas.sorted(by: { $0.key < $1.key }) {
            try c.cached(
                "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                    + "value = CAST(CAST(value AS INTEGER) + ? AS TEXT), updated_at = excluded.updated_at"
            ).run([.text("count." + name), .text(String(delta)), .int(now), .int(Int64(delta))])
        }
    }

    /// The counters whose names start with `prefix` (without the `count.` prefix), e.g. `mail.`.
    public func counters(prefix: String) throws(StateDBError) -> [String: Int] {
        try withConnection { c in
            var out: [String: Int] = [:]
            try c.prepare("SELECT key, value FROM kv WHERE key >= ? AND key < ?").query(
                [.text("count." + prefix), .text("count." + prefix + "\u{10FFFF}")]
            ) { row in
                out[String(row.text(0).dropFirst(6))] = Int(row.text(1)) ?? 0
            }
            return out
        }
    }
}
