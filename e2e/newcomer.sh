#!/usr/bin/env bash
# A newcomer's first hour (issue 16), as whole-process checks: every mistake a new user makes gets a
# non-zero exit status and one clear message, and nothing looks like a success that is not one.
#
#   missing file, empty directory, empty file     `backfill` exits 1 and names each, summary last
#   samples glob                                  `backfill --dry-run samples/*`: the .tsv files are
#                                                 named as not mail logs; the logs' bounces all found
#   missing token file, URL without scheme        `check-config` exits 1 with one error each
#   missing log path                              `check-config` warns, exits 0; `run` says degraded in
#                                                 its log, /healthz and bouncetail_source_missing
#   mistyped --state, no database                 `outbox status`, `outbox list`, `export` exit 1,
#                                                 name the path and its origin, create nothing
#   refused port                                  `check-listmonk` exits 1 at once with one cause
#   bare reply                                    `classify` classifies it; a non-line gets a hint
#   the demo's table                              fits 80 and 100 columns, every address whole
#
# Needs no root. Prints 'newcomer: N passed, M failed'; exit 1 on any failure.
#   BOUNCETAIL_BIN=.build/debug/bouncetail e2e/newcomer.sh
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${BOUNCETAIL_BIN:-}
if [ -z "$bin" ]; then
    swift build --product bouncetail || exit 1
    bin=$(swift build --show-bin-path)/bouncetail
fi
work=$(mktemp -d /tmp/bt-newcomer.XXXXXX)
# As root, check-config checks the state directory for the service user `bouncetail` when that user
# exists (installing the .deb creates it, and a purge leaves it). Sticky and world-writable like /tmp,
# the work directory passes that check with or without the user, so each case tests only its own mistake.
chmod 1777 "$work"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "newcomer: ok: $1"; }
bad() { failed=$((failed + 1)); echo "newcomer: FAIL: $1"; sed 's/^/    | /' "$work/err" "$work/out" 2>/dev/null | head -20; }
# run CMD...: runs bouncetail, keeping stdout, stderr and the exit status.
run() { "$bin" "$@" > "$work/out" 2> "$work/err"; rc=$?; }
# expect NAME STATUS PATTERN [FILE]: the last run exited STATUS and FILE (stderr) has PATTERN (grep -E).
expect() {
    local name=$1 status=$2 pattern=$3 file=${4:-$work/err}
    if [ "$rc" = "$status" ] && grep -qE -- "$pattern" "$file"; then ok "$name"; else bad "$name (exit $rc, wanted $status and /$pattern/)"; fi
}
# last_line_matches NAME PATTERN: the summary is the last line of stderr.
last_line_matches() {
    if tail -1 "$work/err" | grep -qE -- "$2"; then ok "$1"; else bad "$1 (last line: $(tail -1 "$work/err"))"; fi
}

# --- backfill: inputs that give nothing ------------------------------------------------------------
run backfill --dry-run "$work/nope.log"
expect "backfill of a missing file exits 1 and names it" 1 "backfill: $work/nope.log: no such file or directory"
last_line_matches "the summary comes last and agrees (0 read, the input counted)" "^backfill: 0 file\(s\) read, 0 skipped, 1 input\(s\) gave no file"
grep -q "nothing was read" "$work/err" && ok "says nothing was read" || bad "no 'nothing was read'"

mkdir "$work/empty-dir"
run backfill --dry-run "$work/empty-dir"
expect "backfill of an empty directory exits 1 and says so" 1 "$work/empty-dir: directory without files to read"

: > "$work/empty.log"
run backfill --dry-run "$work/empty.log"
expect "backfill of an empty file exits 1 with the skip's reason" 1 "$work/empty.log: skipped, empty file: nothing to read"
last_line_matches "an empty file is '1 skipped' in the summary" "^backfill: 0 file\(s\) read, 1 skipped"

run backfill --dry-run samples/postfix-mail.log "$work/nope.log"
expect "a missing file beside a real log still exits 1" 1 "$work/nope.log: no such file or directory"
[ -s "$work/out" ] && ok "... and the real log's bounces are printed" || bad "no events from the real log"

# --- backfill: the README's samples glob -----------------------------------------------------------
run backfill --dry-run --host-name mail.lab.test --time-zone UTC samples/postfix-mail.log samples/exim-mainlog
expected=$(wc -l < "$work/out")
run backfill --dry-run --host-name mail.lab.test --time-zone UTC samples/*
expect "samples/* exits 0 and names each .tsv as not a mail log" 0 "samples/postfix.expect.tsv: read, but none of its [0-9]+ line\(s\) is a Postfix or Exim log line"
grep -q "samples/exim.expect.tsv: read, but none" "$work/err" && ok "... both .tsv files" || bad "exim.expect.tsv not named"
got=$(wc -l < "$work/out")
[ "$got" = "$expected" ] && [ "$got" -gt 0 ] && ok "samples/* finds the logs' $got bounces, no more" || bad "samples/*: $got events, the two logs give $expected"
last_line_matches "the glob's summary counts the .tsv files" "^backfill: 4 file\(s\) read, 0 skipped, 2 not a mail log"

# --- check-config ----------------------------------------------------------------------------------
cat > "$work/token.toml" <<CF
[general]
state_db = "$work/state/state.db"
[[sources.file]]
paths = ["$work/mail.log"]
[listmonk]
url = "http://127.0.0.1:9"
username = "bouncetail"
token_file = "$work/no-such.token"
[sink]
kind = "webhook"
CF
: > "$work/mail.log"
env -u BOUNCETAIL_LISTMONK_TOKEN "$bin" check-config --config "$work/token.toml" > "$work/out" 2> "$work/err"; rc=$?
expect "check-config: a missing token file is an error" 1 "^error: listmonk.token_file: listmonk.token_file $work/no-such.token: cannot be read"
last_line_matches "check-config counts it" "^configuration: $work/token.toml: 1 error\(s\)"
echo "secret" > "$work/listmonk.token"
sed -i "s|$work/no-such.token|$work/listmonk.token|" "$work/token.toml"
env -u BOUNCETAIL_LISTMONK_TOKEN "$bin" check-config --config "$work/token.toml" > "$work/out" 2> "$work/err"; rc=$?
expect "check-config: with the token file there, ok (and the missing state directory is a note)" 0 "configuration: $work/token.toml: ok" "$work/out"
grep -q "note: general.state_db: $work/state does not exist yet" "$work/out" && ok "... the state directory note" || bad "no state directory note"
[ ! -e "$work/state" ] && ok "check-config created nothing" || bad "check-config created $work/state"

cat > "$work/scheme.toml" <<CF
[listmonk]
url = "lists.example.org"
username = "bouncetail"
[sink]
kind = "webhook"
CF
run check-config --config "$work/scheme.toml"
expect "check-config: a URL without scheme is one error that shows the fix" 1 'listmonk.url: "lists.example.org" is not an http:// or https:// URL; write the scheme too, e.g. "https://lists.example.org"'
grep -q "needs listmonk's base URL" "$work/err" && bad "a second, wrong error about the URL" || ok "... and no second error"
grep -q "^invalid configuration:$" "$work/err" && ok "... reported as one problem" || bad "not 'invalid configuration:' with one problem"

cat > "$work/missing-log.toml" <<CF
[general]
state_db = "$work/run/state.db"
host_name = "newcomer.test"
[[sources.file]]
name = "mail"
paths = ["$work/var/mail.log"]
[metrics]
listen = "127.0.0.1:0"
CF
run check-config --config "$work/missing-log.toml"
expect "check-config: a log that does not exist is a warning, exit 0" 0 "^warning: sources.file\[0\].paths: $work/var/mail.log does not exist yet.*run. waits for it"

# --- run: a source that does not exist is degraded, not 'ok' ---------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s|127.0.0.1:0|127.0.0.1:$port|" "$work/missing-log.toml"
"$bin" run --config "$work/missing-log.toml" > "$work/run.log" 2>&1 &
pid=$!
health=""
for _ in $(seq 1 100); do
    health=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$port/healthz').read().decode(), end='')" 2>/dev/null) && break
    sleep 0.2
done
if echo "$health" | head -1 | grep -qx degraded && echo "$health" | grep -q "degraded: source:mail: $work/var/mail.log does not exist yet"; then
    ok "run: /healthz says degraded and why"
else
    echo "$health" > "$work/err"; : > "$work/out"; bad "run: /healthz said: $health"
fi
metrics=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/metrics').read().decode())" 2>/dev/null)
echo "$metrics" | grep -q '^bouncetail_source_missing{source="mail"} 1' && ok "run: bouncetail_source_missing{source=\"mail\"} 1" || bad "run: no bouncetail_source_missing 1"
grep -q "file source mail: $work/var/mail.log does not exist yet" "$work/run.log" && ok "run: its log says so" || { cp "$work/run.log" "$work/err"; bad "run: nothing in the log"; }
mkdir -p "$work/var" && : > "$work/var/mail.log"
for _ in $(seq 1 50); do
    health=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/healthz').read().decode(), end='')" 2>/dev/null)
    [ "$health" = ok ] && break
    sleep 0.3
done
[ "$health" = ok ] && ok "run: once the file exists, /healthz is ok again" || bad "run: still '$health' after the file appeared"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""

# --- read-only commands never create a database ----------------------------------------------------
for cmd in "outbox status" "outbox list" "export"; do
    # shellcheck disable=SC2086 # two words on purpose
    run $cmd --state "$work/dmeo/state.db"
    expect "$cmd with a mistyped --state exits 1 naming path and origin" 1 "no state database at $work/dmeo/state.db \(from --state\)"
done
[ ! -e "$work/dmeo" ] && ok "... and created neither the database nor its directory" || bad "created $work/dmeo"
cat > "$work/state.toml" <<CF
[general]
state_db = "$work/elsewhere/state.db"
CF
run outbox status --config "$work/state.toml"
expect "a database named in the file: the origin is the file's line" 1 "no state database at $work/elsewhere/state.db \(from \[general\] state_db in $work/state.toml:2\)"

# --- check-listmonk against a refused port ---------------------------------------------------------
refused=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/refused.toml" <<CF
[listmonk]
url = "http://127.0.0.1:$refused"
username = "bouncetail"
CF
started=$(date +%s%N)
BOUNCETAIL_LISTMONK_TOKEN=t run check-listmonk --config "$work/refused.toml"
took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
expect "check-listmonk: a refused port exits 1 with one clean cause" 1 "connection refused by 127.0.0.1:$refused \(nothing listens on that port\)" "$work/out"
grep -qE "errno|error set" "$work/out" && bad "check-listmonk: the raw NIO text is still there" || ok "... without the nested NIO error text"
[ "$took_ms" -lt 3000 ] && ok "... at once ($took_ms ms; the connect timeout is 10 s)" || bad "check-listmonk took $took_ms ms"

# --- classify --------------------------------------------------------------------------------------
run classify '550 5.1.1 <a@b.example>: User unknown'
expect "classify: a bare reply gets a verdict" 0 '"kind":"smtp_reply","status":"bounced".*"reason":"userunknown","type":"hard"' "$work/out"
run classify 'hello world'
expect "classify: a line that is neither gets a hint" 0 "line 1 is neither a Postfix or Exim log line nor an SMTP reply"

# --- the demo's table: every bounce on one screen, nothing cut ---------------------------------------
"$bin" backfill --quiet --state "$work/demo.db" --host-name mail.lab.test --time-zone UTC --config scripts/demo.toml \
    samples/postfix-mail.log samples/exim-mainlog 2> "$work/err"
"$bin" export --state "$work/demo.db" --format jsonl > "$work/stored.jsonl"
"$bin" outbox list --held --limit 10000 --state "$work/demo.db" > "$work/held.jsonl"
for cols in 80 100; do
    COLUMNS=$cols python3 scripts/demo-table.py "$work/stored.jsonl" "$work/held.jsonl" > "$work/table$cols"
    long=$(awk -v c="$cols" 'length($0) > c' "$work/table$cols" | wc -l)
    lines=$(wc -l < "$work/table$cols")
    missing=$(python3 -c 'import json,sys; t=open(sys.argv[3]).read().split()
rows=[json.loads(l) for f in sys.argv[1:3] for l in open(f) if l.strip()]
print(sum(1 for r in rows if r["email"] not in t))' "$work/stored.jsonl" "$work/held.jsonl" "$work/table$cols")
    if [ "$long" = 0 ] && [ "$missing" = 0 ] && [ "$lines" -le 40 ]; then
        ok "demo table at $cols columns: $lines lines, none wider, every address whole"
    else
        cp "$work/table$cols" "$work/err"; : > "$work/out"; bad "demo table at $cols columns: $long too wide, $missing addresses not whole, $lines lines"
    fi
done
grep -q "^blocked+pf08@example.net  *soft  *blocked  *hold (our fault)$" "$work/table80" && ok "... a held bounce says why and what happens" || { cp "$work/table80" "$work/err"; bad "the held row"; }

echo "newcomer: $passed passed, $failed failed"
[ "$failed" = 0 ]
