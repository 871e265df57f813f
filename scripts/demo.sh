#!/usr/bin/env bash
# The main job on an embedded default: backfills the bundled sample logs (written by real Postfix
# 3.7 and Exim 4.96 in the end-to-end harness) into a local SQLite store, then shows what it found:
# who bounced, hard or soft, why, and what bouncetail does with each bounce; then the deliverability
# report (terminal summary and demo/report.html) of a generated month.
#
#   scripts/demo.sh [STATE_DB]        (default ./demo/state.db; the build's output goes to ./demo/build.log)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
mkdir -p demo
state=${1:-./demo/state.db}
log=demo/build.log
# A debug build is quick and plenty for the sample; `swift build -c release` for real logs. Its ~2000
# lines of compiler output go to the log; the terminal gets one line of progress.
echo "demo: building bouncetail (compiler output in $log; the first build takes a few minutes)"
if ! swift build --product bouncetail 2>&1 | tee "$log" | awk -v tty="$([ -t 1 ] && echo 1)" '
    /^\[[0-9]+\/[0-9]+\]/ { if (tty) { printf "\rdemo: building %-14s", $1; fflush() } }
    END { if (tty) printf "\r%40s\r", "" }'; then
    echo "demo: the build failed; the last lines of $log:" >&2
    tail -20 "$log" >&2
    exit 1
fi
bin=$(swift build --show-bin-path)/bouncetail
bin=${bin#"$PWD"/}
# The samples are from 2026-11-26: scripts/demo.toml sets [outbox] hold_older_than so that they are
# not held as "too old to send".
echo "demo: reading samples/postfix-mail.log and samples/exim-mainlog into $state"
"$bin" backfill --quiet --state "$state" --host-name mail.lab.test --time-zone UTC --config scripts/demo.toml \
  samples/postfix-mail.log samples/exim-mainlog
"$bin" export --state "$state" --format jsonl --config scripts/demo.toml > demo/stored.jsonl
"$bin" outbox list --held --limit 10000 --state "$state" --config scripts/demo.toml > demo/held.jsonl
echo
python3 scripts/demo-table.py demo/stored.jsonl demo/held.jsonl
# The samples are one small lab campaign that a loopback relay accepted, so they have bounces but no
# deliveries to rate them against. The deliverability report is shown on a generated month of two MTA
# hosts instead (deliveries, a provider that starts refusing our IP, a burst that trips the spike
# guard). Syslog lines carry no year: it comes from the file's date, hence the touch.
month=demo/month.log
month_db=demo/month.db
rm -f "$month_db" "$month_db"-wal "$month_db"-shm
python3 scripts/gen-postfix-log.py 1.5 11 --days 30 --hosts mx1,mx2 > "$month"
touch -d 2026-12-01T00:00:00Z "$month"
echo
echo "demo: a generated month of two MTA hosts ($month), backfilled into $month_db; its report:"
echo
"$bin" backfill --quiet --state "$month_db" --time-zone UTC --config scripts/demo.toml "$month" 2>/dev/null
"$bin" report --state "$month_db" --config scripts/demo.toml --html demo/report.html
echo
echo "More:"
echo "  open demo/report.html in a browser (charts; self-contained, printable)"
echo "  $bin report --state $state --config scripts/demo.toml      # the samples' own report"
echo "  $bin outbox status --state $state"
echo "  $bin export --state $state --format csv"
