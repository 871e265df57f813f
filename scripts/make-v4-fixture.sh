#!/usr/bin/env bash
# Makes Tests/Fixtures/schema-v4-100e98b/state.db: a state database at schema version 4 (outcome claims in
# `outcome_keys`, one row per outcome keyed by the hash of its identity), written by main at 100e98b, for
# the upgrade test of schema version 5 (`outcome_claims`, clustered by log time):
# Tests/BounceStoreTests/ClaimsUpgradeTests.swift, docs/design/2026-12-03-backfill-commit.md.
#
# The old binary backfills both sample logs whole into the local store (host_name "mail", UTC); the test then
# reads the same lines again with today's code (a copy under another name) and checks that nothing is
# counted twice and that the counts equal those of today's code on a fresh database.
#
#   OLD_BIN=/path/to/100e98b/bouncetail scripts/make-v4-fixture.sh
#   scripts/make-v4-fixture.sh        # builds 100e98b in /tmp/bouncetail-100e98b first (slow)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rev=100e98b
out="$root/Tests/Fixtures/schema-v4-$rev"
# The logs' mtime (the year of Postfix's year-less timestamps); the test sets the same.
mtime="2026-11-27 00:00:00 UTC"

# shellcheck source=scripts/old-binary.sh
source "$root/scripts/old-binary.sh"
OLD_BIN=${OLD_BIN:-$(old_binary "$rev")}

work="$(mktemp -d /tmp/bouncetail-v4-fixture.XXXXXX)"
cp samples/postfix-mail.log "$work/mail.log.1"
cp samples/exim-mainlog "$work/mainlog.1"
touch -d "$mtime" "$work/mail.log.1" "$work/mainlog.1"
fixture_config "$work" "mail"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/mail.log.1"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/mainlog.1"
fold_db "$work/state.db"
python3 - "$work/state.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
version = c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
keys = c.execute("SELECT COUNT(*) FROM outcome_keys").fetchone()[0]
counted = c.execute("SELECT SUM(n) FROM outcome_counts WHERE outcome <> 'held'").fetchone()[0]
print(f"fixture: schema version {version}, {keys} outcome keys, {counted} outcomes counted")
assert version == 4 and keys > 0 and keys == counted, "not the schema-v4 database the test expects"
c.close()
PY
mkdir -p "$out"
cp "$work/state.db" "$out/state.db"
cat > "$out/README.md" <<MD
A state database at schema version 4 written by bouncetail at $rev, made by \`scripts/make-v4-fixture.sh\`:
\`backfill\` of \`samples/postfix-mail.log\` as \`mail.log.1\` and \`samples/exim-mainlog\` as \`mainlog.1\`
(mtime $mtime), \`host_name = "mail"\`, local store sink. Its outcome claims are in \`outcome_keys\`.
Used by \`ClaimsUpgradeTests\`.
MD
rm -rf "$work"
echo "wrote $out/state.db ($(stat -c %s "$out/state.db") bytes)"
