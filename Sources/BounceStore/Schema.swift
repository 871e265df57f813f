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
        Migration(
            version: 4, description: "sent index and bounce joins: one event per bounce from log and mail",
            sql: """
                -- Every (message, recipient) the logs show our MTA delivered: the forged-mail check for bounces and
                -- complaints that arrive as mail (a report must name a message we sent to that recipient), and the
                -- UUIDs for an asynchronous DSN that lacks them. One row per host, queue id and recipient (Postfix
                -- reuses queue ids: the latest delivery wins). message_id without angle brackets, NULL when the log
                -- did not show it. Pruned by log time with outbox.retention.
                CREATE TABLE sent_index (
                    host            TEXT NOT NULL,
                    queue_id        TEXT NOT NULL,
                    recipient       TEXT NOT NULL,
                    message_id      TEXT,
                    subscriber_uuid TEXT,
                    campaign_uuid   TEXT,
                    at              INTEGER NOT NULL,
                    PRIMARY KEY (host, queue_id, recipient)
                ) WITHOUT ROWID;
                CREATE INDEX sent_index_message ON sent_index(message_id, recipient) WHERE message_id IS NOT NULL;
                CREATE INDEX sent_index_at ON sent_index(at);

                -- One bounce, one event, whichever reader saw it first: a log bounce and the DSN our MTA mailed for it
                -- are joined by 'q|<host>|<queue id>|<recipient>' and 'm|<message id>|<recipient>'. Each key names the
                -- dedup key of the event that stands for the bounce and which reader stored it ('log' or 'mail');
                -- the other reader's event adds no row and enriches that one. held_unmatched: the mail event was held
                -- because no log showed the message (lifted when the log line arrives). Pruned with outbox.retention.
                CREATE TABLE bounce_joins (
                    join_key       TEXT PRIMARY KEY,
                    dedup_key      TEXT NOT NULL,
                    origin         TEXT NOT NULL CHECK (origin IN ('log', 'mail')),
                    held_unmatched INTEGER NOT NULL DEFAULT 0,
                    created_at     INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX bounce_joins_created ON bounce_joins(created_at);
                CREATE INDEX bounce_joins_unmatched ON bounce_joins(held_unmatched) WHERE held_unmatched = 1;

                -- The log bounces stored before this version join a DSN that arrives after the upgrade: their keys
                -- are made here from the stored bodies (outbox) and metas (local store), as MailJoin.keys makes them.
                INSERT OR IGNORE INTO bounce_joins (join_key, dedup_key, origin, held_unmatched, created_at)
                SELECT k, dedup_key, 'log', 0, at FROM (
                    SELECT 'q|' || replace(replace(json_extract(body, '$.meta.host'), '%', '%25'), '|', '%7C') || '|'
                            || replace(replace(json_extract(body, '$.meta.queue_id'), '%', '%25'), '|', '%7C') || '|' || replace(replace(lower(email), '%', '%25'), '|', '%7C') AS k,
                        dedup_key, enqueued_at AS at
                    FROM outbox WHERE kind = 'event' AND dedup_key LIKE 'v2|%' AND json_valid(body)
                        AND json_extract(body, '$.meta.queue_id') <> ''
                    UNION ALL
                    SELECT 'm|' || replace(replace(json_extract(body, '$.meta.message_id'), '%', '%25'), '|', '%7C') || '|' || replace(replace(lower(email), '%', '%25'), '|', '%7C'),
                        dedup_key, enqueued_at
                    FROM outbox WHERE kind = 'event' AND dedup_key LIKE 'v2|%' AND json_valid(body)
                        AND json_extract(body, '$.meta.message_id') <> ''
                    UNION ALL
                    SELECT 'q|' || replace(replace(json_extract(meta, '$.host'), '%', '%25'), '|', '%7C') || '|'
                            || replace(replace(json_extract(meta, '$.queue_id'), '%', '%25'), '|', '%7C') || '|' || replace(replace(lower(email), '%', '%25'), '|', '%7C'),
                        dedup_key, created_us
                    FROM bounces WHERE dedup_key LIKE 'v2|%' AND json_valid(meta) AND json_extract(meta, '$.queue_id') <> ''
                    UNION ALL
                    SELECT 'm|' || replace(replace(json_extract(meta, '$.message_id'), '%', '%25'), '|', '%7C') || '|' || replace(replace(lower(email), '%', '%25'), '|', '%7C'),
                        dedup_key, created_us
                    FROM bounces WHERE dedup_key LIKE 'v2|%' AND json_valid(meta) AND json_extract(meta, '$.message_id') <> ''
                ) WHERE k IS NOT NULL;
                """),
        Migration(
            version: 5, description: "outcome claims clustered by log time",
            sql: """
                -- Every outcome counted from this version on: its log time (whole seconds since the epoch, UTC) and the
                -- 64-bit hash of its identity (as outcome_keys). Keyed by time first, so the claims of a log read in
                -- order land at the end of the tree instead of on random pages of a table keyed by the hash (and of its
                -- day index): most of what a backfill's commit wrote to the WAL for them. An identity names the
                -- second of its line, so a claim is found again at the same time. The claims made before this version
                -- stay in outcome_keys, which is read (never written) while it has rows and pruned by day as before;
                -- not copied over, since a month of deliveries is millions of rows to rewrite at an upgrade.
                CREATE TABLE outcome_claims (
                    at INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    PRIMARY KEY (at, id)
                ) WITHOUT ROWID;
                """),
        Migration(
            version: 6, description: "sent rows and outcome counts appended in log order",
            sql: """
                -- Every (message, recipient) the logs show our MTA delivered, from this version on (sent_index's
                -- successor): one row per delivery whose outcome claim was new, appended in commit order (a rowid
                -- table: a backfill's rows land at the end of the tree, not on random pages of a tree keyed by their
                -- text). Found through two narrow indexes of 64-bit FNV-1a hashes whose text is checked on the row:
                -- qkey of host, queue id and recipient; mkey of Message-ID and recipient (NULL without a Message-ID).
                -- Postfix reuses queue ids: of the rows of one host, queue id and recipient the latest delivery (log
                -- time) is the one a DSN still to come is about. Pruned by log time with outbox.retention. The rows
                -- written before this version stay in sent_index, read (never written) while it has rows and pruned
                -- as before; not copied over (a month of deliveries is millions of rows to rewrite at an upgrade).
                CREATE TABLE sent_log (
                    id              INTEGER PRIMARY KEY,
                    at              INTEGER NOT NULL,
                    qkey            INTEGER NOT NULL,
                    mkey            INTEGER,
                    host            TEXT NOT NULL,
                    queue_id        TEXT NOT NULL,
                    recipient       TEXT NOT NULL,
                    message_id      TEXT,
                    subscriber_uuid TEXT,
                    campaign_uuid   TEXT
                );
                CREATE INDEX sent_log_qkey ON sent_log(qkey);
                CREATE INDEX sent_log_mkey ON sent_log(mkey) WHERE mkey IS NOT NULL;
                CREATE INDEX sent_log_at ON sent_log(at);

                -- Outcome counts still to be added to outcome_counts: each batch appends its new outcomes here, one
                -- row per cell, instead of an upsert on a random page of outcome_counts per cell (with one campaign
                -- per message, one per message). Readers add these rows to outcome_counts'; a fold adds them in key
                -- order and empties the table: at the end of a backfill, when they pass a limit
                -- (StateDBOptions.outcomeDeltaLimit), and before retention or a host's rename touch the counts.
                CREATE TABLE outcome_deltas (
                    id       INTEGER PRIMARY KEY,
                    day      INTEGER NOT NULL,
                    host     TEXT NOT NULL,
                    domain   TEXT NOT NULL,
                    campaign TEXT NOT NULL,
                    -- Not `IN (…)`: SQLite checks a bound value against an IN list by building a temporary table
                    -- for it, at every row (what made each outcome_counts upsert open and close one).
                    outcome  TEXT NOT NULL CHECK (outcome = 'delivered' OR outcome = 'hard' OR outcome = 'soft'
                        OR outcome = 'complaint' OR outcome = 'deferred' OR outcome = 'held'),
                    n        INTEGER NOT NULL
                );
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
