/// The state database schema as forward-only migrations.
///
/// Each migration runs in its own transaction and records its version in `schema_migrations`.
/// Never edit a released migration: add a new one. A database whose highest version is above
/// ``Schema/latestVersion`` was written by a newer bouncetail and is refused.
enum Schema {
    struct Migration {
        let version: Int64
        let description: String
        let sql: String
    }

    static var latestVersion: Int64 { migrations.last!.version }

    static let migrations: [Migration] = [
        Migration(
            version: 1, description: "positions, tracker state, outbox, dedup keys, bounces, lease, kv",
            sql: """
                CREATE TABLE kv (
                    key        TEXT PRIMARY KEY,
                    value      TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                );

                -- Where each source has been read up to. A file: content fingerprint + device/inode hint + offset
                -- (into the decompressed stream for .gz). The journal: cursor + realtime.
                CREATE TABLE source_positions (
                    source_id        TEXT PRIMARY KEY,
                    fingerprint      BLOB,
                    fingerprint_len  INTEGER,
                    device           INTEGER,
                    inode            INTEGER,
                    offset           INTEGER NOT NULL DEFAULT 0,
                    journal_cursor   TEXT,
                    journal_realtime INTEGER,
                    updated_at       INTEGER NOT NULL
                );

                -- In-flight messages of the message tracker, opaque to the store.
                CREATE TABLE tracker_state (
                    key        TEXT PRIMARY KEY,
                    value      BLOB NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX tracker_state_updated ON tracker_state(updated_at);

                -- Every bounce identity ever enqueued. Kept longer than outbox rows so that re-reading old
                -- logs after the rows were pruned still finds the key and adds nothing.
                CREATE TABLE dedup_keys (
                    dedup_key   TEXT PRIMARY KEY,
                    log_time    INTEGER NOT NULL,
                    enqueued_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX dedup_keys_enqueued ON dedup_keys(enqueued_at);

                -- Bounces on their way to a sink. Dead letters are rows in state 'dead' with listmonk's answer.
                CREATE TABLE outbox (
                    id              INTEGER PRIMARY KEY,
                    dedup_key       TEXT NOT NULL UNIQUE,
                    state           TEXT NOT NULL CHECK (state IN ('pending', 'held', 'sent', 'dead')),
                    kind            TEXT NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'replay')),
                    body            TEXT NOT NULL,
                    email           TEXT NOT NULL,
                    reason          TEXT NOT NULL,
                    type            TEXT NOT NULL,
                    fault           TEXT NOT NULL,
                    action          TEXT NOT NULL,
                    mta_host        TEXT NOT NULL,
                    remote_domain   TEXT NOT NULL,
                    created_at      INTEGER NOT NULL,
                    enqueued_at     INTEGER NOT NULL,
                    attempts        INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    claimed_until   INTEGER,
                    first_failure_at INTEGER,
                    last_error      TEXT,
                    last_status     INTEGER,
                    last_body       TEXT,
                    sent_at         INTEGER,
                    dead_at         INTEGER,
                    hold_reason     TEXT
                );
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                CREATE INDEX outbox_sent ON outbox(state, sent_at);
                CREATE INDEX outbox_reason ON outbox(state, reason);

                -- The local store, shaped like listmonk's bounces table (subscriber and campaign by UUID,
                -- since there are no listmonk ids here).
                CREATE TABLE bounces (
                    id              INTEGER PRIMARY KEY,
                    email           TEXT NOT NULL,
                    subscriber_uuid TEXT NOT NULL DEFAULT '',
                    campaign_uuid   TEXT NOT NULL DEFAULT '',
                    type            TEXT NOT NULL DEFAULT 'hard' CHECK (type IN ('soft', 'hard', 'complaint')),
                    source          TEXT NOT NULL DEFAULT '',
                    meta            TEXT NOT NULL DEFAULT '{}',
                    created_at      TEXT NOT NULL,
                    created_us      INTEGER NOT NULL,
                    dedup_key       TEXT UNIQUE
                );
                CREATE INDEX bounces_created ON bounces(created_us);
                CREATE INDEX bounces_email ON bounces(email);
                CREATE INDEX bounces_source ON bounces(source);

                -- Who may deliver: one row, held by one process until it expires.
                CREATE TABLE delivery_lease (
                    name        TEXT PRIMARY KEY,
                    owner       TEXT NOT NULL,
                    pid         INTEGER NOT NULL,
                    host        TEXT NOT NULL,
                    acquired_at INTEGER NOT NULL,
                    expires_at  INTEGER NOT NULL
                );
                """),
        Migration(
            version: 2, description: "dedup_keys.enrich_note: a late or conflicting UUID already reported",
            sql: """
                -- Set when a later reader brought a UUID that could not be applied to the stored bounce (it was
                -- already delivered, or the readers disagreed): the report is made once per key, not at every
                -- re-read. NULL for every key written before this version, which is what "not reported" means.
                ALTER TABLE dedup_keys ADD COLUMN enrich_note TEXT;
                """),
        Migration(
            version: 3, description: "outcome counts per day, host, domain, campaign; their keys; run-time facts",
            sql: """
                -- Final outcomes per UTC day of their log time, MTA host, recipient domain and listmonk campaign
                -- ('' when unknown): delivered, hard, soft, complaint, deferred (per message), held (the sender-fault
                -- holds, a subset of hard and soft). Behind the report's rates; pruned with outbox.retention.
                CREATE TABLE outcome_counts (
                    day      INTEGER NOT NULL,
                    host     TEXT NOT NULL,
                    domain   TEXT NOT NULL,
                    campaign TEXT NOT NULL DEFAULT '',
                    outcome  TEXT NOT NULL
                        CHECK (outcome IN ('delivered', 'hard', 'soft', 'complaint', 'deferred', 'held')),
                    n        INTEGER NOT NULL,
                    PRIMARY KEY (day, host, domain, campaign, outcome)
                ) WITHOUT ROWID;

                -- Every outcome counted, by a 64-bit hash of its identity (the bounce's dedup key, a delivery's or a
                -- deferral's tally identity): an outcome read again adds nothing. A hash, not the text, because
                -- there is one row per delivered recipient: 8 bytes instead of about 80.
                CREATE TABLE outcome_keys (
                    id  INTEGER PRIMARY KEY,
                    day INTEGER NOT NULL
                );
                CREATE INDEX outcome_keys_day ON outcome_keys(day);

                -- What happened while running that the report shows after the fact: delivery paused (subject: the
                -- reason) and resumed; the spike guard tripped and released a domain (subject: the domain). The same
                -- fact recorded twice (a re-read backfill) is one row.
                CREATE TABLE runtime_facts (
                    id      INTEGER PRIMARY KEY,
                    at      INTEGER NOT NULL,
                    kind    TEXT NOT NULL
                        CHECK (kind IN ('delivery_paused', 'delivery_resumed', 'guard_tripped', 'guard_released')),
                    subject TEXT NOT NULL DEFAULT '',
                    status  INTEGER,
                    detail  TEXT NOT NULL DEFAULT '',
                    UNIQUE (kind, subject, at)
                );
                CREATE INDEX runtime_facts_at ON runtime_facts(at);
                """),
    ]

    /// Applies every migration above the database's version. Returns the versions applied.
    static func migrate(_ connection: SQLiteConnection, path: String, now: Int64) throws -> [Int64] {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at  INTEGER NOT NULL
            )
            """)
        let current = try connection.scalarInt("SELECT MAX(version) FROM schema_migrations") ?? 0
        if current > latestVersion {
            throw StateDBError(
                kind: .newerSchema, path: path,
                message: "the state database \(path) has schema version \(current), but this bouncetail knows only "
                    + "up to \(latestVersion): it was written by a newer bouncetail. Run that version, "
                    + "or point this one at another state file; do not downgrade a state database")
        }
        var applied: [Int64] = []
        for migration in migrations where migration.version > current {
            try connection.transaction(.immediate) {
                // Re-check inside the write lock: another process may have migrated meanwhile.
                let now_ = try connection.scalarInt("SELECT MAX(version) FROM schema_migrations") ?? 0
                guard now_ < migration.version else { return }
                try connection.execute(migration.sql)
                try connection.run(
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                    [.int(migration.version), .text(migration.description), .int(now)])
                applied.append(migration.version)
            }
        }
        return applied
    }
}
