#!/usr/bin/env bash
# Makes Tests/Fixtures/schema-v5-d999053/state.db: a state database at schema version 5 (the sent index in
# `sent_index`, keyed by its text; outcome counts upserted into `outcome_counts`), written by main at d999053,
# for the upgrade test of schema version 6 (`sent_log` and `outcome_deltas`, appended in log order):
# Tests/BounceDaemonTests/SentLogUpgradeTests.swift, docs/design/2026-12-03-commit-append.md.
#
# The old binary backfills both sample logs and a small generated log with deliveries (`deliveries.log`:
# scripts/gen-postfix-log.py 0.03 7, kept beside the database; the samples deliver nothing) whole into the local
# store (host_name "mail", UTC); the test then checks that every row it wrote is kept, that the mail join still
# finds its deliveries, and that reading the same lines again with today's code adds nothing.
#
#   OLD_BIN=/path/to/d999053/bouncetail scripts/make-v5-fixture.sh
#   scripts/make-v5-fixture.sh        # builds d999053 in /tmp/bouncetail-d999053 first (slow)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rev=d999053
out="$root/Tests/Fixtures/schema-v5-$rev"
# The logs' mtime (the year of Postfix's year-less timestamps); the test sets the same.
mtime="2026-11-27 00:00:00 UTC"

# shellcheck source=scripts/old-binary.sh
source "$root/scripts/old-binary.sh"
OLD_BIN=${OLD_BIN:-$(old_binary "$rev")}

work="$(mktemp -d /tmp/bouncetail-v5-fixture.XXXXXX)"
cp samples/postfix-mail.log "$work/mail.log.1"
cp samples/exim-mainlog "$work/mainlog.1"
python3 scripts/gen-postfix-log.py 0.03 7 > "$work/deliveries.log"
touch -d "$mtime" "$work/mail.log.1" "$work/mainlog.1" "$work/deliveries.log"
fixture_config "$work" "mail"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/mail.log.1"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/mainlog.1"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/deliveries.log"
fold_db "$work/state.db"
python3 - "$work/state.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
version = c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
claims = c.execute("SELECT COUNT(*) FROM outcome_claims").fetchone()[0]
sent = c.execute("SELECT COUNT(*) FROM sent_index").fetchone()[0]
mids = c.execute("SELECT COUNT(*) FROM sent_index WHERE message_id IS NOT NULL").fetchone()[0]
counted = c.execute("SELECT SUM(n) FROM outcome_counts WHERE outcome <> 'held'").fetchone()[0]
print(f"fixture: schema version {version}, {claims} outcome claims, {counted} outcomes counted, "
      f"{sent} sent-index rows ({mids} with a Message-ID)")
assert version == 5 and claims > 0 and claims == counted and sent > 0 and mids > 0, \
    "not the schema-v5 database the test expects"
c.close()
PY
mkdir -p "$out"
cp "$work/state.db" "$out/state.db"
cp "$work/deliveries.log" "$out/deliveries.log"
cat > "$out/README.md" <<MD
A state database at schema version 5 written by bouncetail at $rev, made by \`scripts/make-v5-fixture.sh\`:
\`backfill\` of \`samples/postfix-mail.log\` as \`mail.log.1\`, \`samples/exim-mainlog\` as \`mainlog.1\` and
\`deliveries.log\` (here; \`scripts/gen-postfix-log.py 0.03 7\`) (mtime $mtime), \`host_name = "mail"\`, local store sink. Its sent index is in \`sent_index\`, its outcome
claims in \`outcome_claims\`. Used by \`SentLogUpgradeTests\`.
MD
rm -rf "$work"
echo "wrote $out/state.db ($(stat -c %s "$out/state.db") bytes)"
