#!/usr/bin/env bash
# Makes Tests/Fixtures/upgrade-ad2773d/state.db: a state database written by the release
# before hosts were read (main at ad2773d), with messages in flight, for the upgrade test
# (Tests/BounceDaemonTests/UpgradeFromMainTests.swift, docs/design/2026-12-03-host-identity.md).
#
# The old binary backfills the first part of each sample log (samples/postfix-mail.log, samples/exim-mainlog)
# as the rotated file of its family (`mail.log.1`, `mainlog.1`; the live files empty), with
# host_name = "Mail.Example.org" (capitals and a domain: today's identity of it is "mail", so every stored
# key must be carried over). The test then gives today's code the family after the rotation: the same
# `.1` files and live files holding the rest of the samples. Messages in flight at the cut finish only there.
#
#   OLD_BIN=/path/to/ad2773d/bouncetail scripts/make-upgrade-fixture.sh
#   scripts/make-upgrade-fixture.sh        # builds ad2773d in /tmp/bouncetail-ad2773d first (slow)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rev=ad2773d
out="$root/Tests/Fixtures/upgrade-$rev"
# Where each log is cut: both cuts leave messages queued, with their listmonk headers logged, whose final
# lines come after the cut (the test checks that the fixture holds such in-flight state).
postfix_lines=110
exim_lines=90
# The logs' mtime (the year of Postfix's year-less timestamps); the test sets the same.
mtime="2026-11-27 00:00:00 UTC"

# shellcheck source=scripts/old-binary.sh
source "$root/scripts/old-binary.sh"
OLD_BIN=${OLD_BIN:-$(old_binary "$rev")}

work="$(mktemp -d /tmp/bouncetail-upgrade-fixture.XXXXXX)"
head -n "$postfix_lines" samples/postfix-mail.log > "$work/mail.log.1"
head -n "$exim_lines" samples/exim-mainlog > "$work/mainlog.1"
: > "$work/mail.log"
: > "$work/mainlog"
touch -d "$mtime" "$work/mail.log.1" "$work/mainlog.1" "$work/mail.log" "$work/mainlog"
fixture_config "$work" "Mail.Example.org"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/mail.log.1" "$work/mail.log"
"$OLD_BIN" backfill --config "$work/bt.toml" --quiet "$work/mainlog.1" "$work/mainlog"
fold_db "$work/state.db"
python3 - "$work/state.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
inflight = c.execute("SELECT COUNT(*) FROM tracker_state WHERE key LIKE 'Mail.Example.org|%' AND key NOT LIKE '%|~%'").fetchone()[0]
keys = c.execute("SELECT COUNT(*) FROM dedup_keys WHERE dedup_key LIKE 'v2|Mail.Example.org|%'").fetchone()[0]
print(f"fixture: {inflight} in-flight messages, {keys} dedup keys under the old identity")
assert inflight > 0 and keys > 0, "the cut leaves nothing in flight or nothing recorded: move it"
c.close()
PY
mkdir -p "$out"
cp "$work/state.db" "$out/state.db"
cat > "$out/README.md" <<MD
A state database written by bouncetail at $rev (before hosts were read), made by
\`scripts/make-upgrade-fixture.sh\`: \`backfill\` of the first $postfix_lines lines of
\`samples/postfix-mail.log\` as \`mail.log.1\` and the first $exim_lines lines of \`samples/exim-mainlog\` as
\`mainlog.1\`, each beside an empty live file (mtime $mtime),
\`host_name = "Mail.Example.org"\`, local store sink. Used by \`UpgradeFromMainTests\`.
MD
rm -rf "$work"
echo "wrote $out/state.db ($(stat -c %s "$out/state.db") bytes)"
