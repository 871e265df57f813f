#!/usr/bin/env bash
# End-to-end: real Postfix and Exim produce logs (run-mtas.sh), bouncetail turns them into events,
# and check.py compares the events with what the campaign expected. Root only (exit 0 with a printed
# reason otherwise, so that plain `swift test` machines are not blocked).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
if [ "$(id -u)" != 0 ]; then echo "e2e: SKIPPED: needs root"; exit 0; fi
if [ -z "${BIN:-}" ]; then
  swift build --product bouncetail
  BIN=$(swift build --show-bin-path)/bouncetail
fi
bin=$BIN
out=$(mktemp -d /tmp/bouncetail-e2e.XXXXXX)
set +e
e2e/run-mtas.sh "$out/mtas"
rc=$?
set -e
if [ $rc = 77 ]; then echo "e2e: SKIPPED: the MTAs cannot run here"; exit 0; fi
[ $rc = 0 ] || { echo "e2e: running the MTAs failed ($rc)"; exit 1; }

fail=0
# 0. postlog(1) run by nobody could not write into Postfix's maillog_file (issue 13).
echo "e2e: postlog and public/: $(tr '\n' ';' < "$out/mtas/postlog-perms.txt"); postlog as nobody said: $(tr '\n' ' ' < "$out/mtas/postlog-forge.out")"
if grep -q FORGEDPOSTLOG "$out/mtas/postfix.log"; then
  echo "e2e: FAIL an unprivileged postlog wrote into maillog_file"; fail=1
else
  echo "e2e: an unprivileged postlog -t postfix/smtp did not reach maillog_file"
fi
# 1. Dry-run backfill of each MTA's log: the events printed must match the campaign's expectations.
"$bin" backfill --dry-run --host-name e2e.test "$out/mtas/postfix.log" > "$out/postfix.events.jsonl"
python3 e2e/check.py "$out/mtas/postfix.expect.tsv" "$out/postfix.events.jsonl" postfix-dry-run || fail=1
"$bin" backfill --dry-run --host-name e2e.test "$out/mtas/exim-mainlog" > "$out/exim.events.jsonl"
python3 e2e/check.py "$out/mtas/exim.expect.tsv" "$out/exim.events.jsonl" exim-dry-run || fail=1

# 2. Backfill into the local SQLite store twice: the second run must add nothing.
"$bin" backfill --state "$out/state.db" --host-name e2e.test "$out/mtas/postfix.log" "$out/mtas/exim-mainlog"
"$bin" backfill --state "$out/state.db" --host-name e2e.test "$out/mtas/postfix.log" "$out/mtas/exim-mainlog"
"$bin" export --state "$out/state.db" --format jsonl > "$out/store.jsonl"
cat "$out/mtas/postfix.expect.tsv" > "$out/all.expect.tsv"
tail -n +2 "$out/mtas/exim.expect.tsv" >> "$out/all.expect.tsv"
python3 e2e/check.py --forwarded-only "$out/all.expect.tsv" "$out/store.jsonl" store-backfill-twice || fail=1
"$bin" outbox list --held --state "$out/state.db" > "$out/held.jsonl"
held=$(wc -l < "$out/held.jsonl"); expected_held=$(grep -c "	hold$" "$out/all.expect.tsv" || true)
[ "$held" = "$expected_held" ] && echo "e2e: $held held bounces, as expected" || { echo "e2e: FAIL held bounces $held, expected $expected_held"; fail=1; }

[ $fail = 0 ] && echo "e2e: all checks passed" || echo "e2e: FAILED (outputs in $out)"
exit $fail
