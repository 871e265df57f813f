#!/usr/bin/env bash
# `bouncetail run` following a live systemd-journald, across a restart.
#
# Starts /lib/systemd/systemd-journald by hand inside a private mount namespace (fresh tmpfs on /run
# and /var/log/journal, so the host's journal is never touched), starts `bouncetail run` following
# /run/log/journal, and writes the lines of samples/postfix-mail.log as journal entries with
# `logger --journald` (syslog header stripped: SYSLOG_IDENTIFIER=postfix/smtp etc., MESSAGE = the
# rest, SYSLOG_FACILITY=mail), so the expected bounces are those of samples/postfix.expect.tsv:
#
#   1. half of the entries while bouncetail runs; wait until their bounces are stored; SIGTERM;
#   2. the next tenth while it is stopped (it must resume after its stored cursor, not at the tail);
#   3. restart; the rest of the entries;
#   4. the store (`bouncetail export --format jsonl`) must hold every expected bounce exactly once
#      (e2e/check.py), so the restart repeated none and lost none;
#   5. follow latency: complete bounces appended one at a time, time until each is in the store.
#
# Needs root. Exit 0 with "SKIPPED" when not root or a tool is missing; 1 on any failure.
#   e2e/journald-live.sh                   # builds bouncetail first
#   BIN=.build/debug/bouncetail e2e/journald-live.sh
set -euo pipefail

self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
root="$(cd "$(dirname "$0")/.." && pwd)"
timeout_s="${LIVE_TIMEOUT:-300}"
name=journald-live

if [[ "${1:-}" != "--inside" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "$name: SKIPPED: needs root (private mount namespace and a journald of its own)"
        exit 0
    fi
    for tool in unshare logger python3 timeout; do
        command -v "$tool" >/dev/null || { echo "$name: SKIPPED: $tool not found"; exit 0; }
    done
    if [[ ! -x /lib/systemd/systemd-journald && ! -x /usr/lib/systemd/systemd-journald ]]; then
        echo "$name: SKIPPED: systemd-journald not found (apt-get install systemd)"
        exit 0
    fi
    cd "$root"
    if [[ -z "${BIN:-}" ]]; then
        swift build --product bouncetail
        BIN="$(swift build --show-bin-path)/bouncetail"
    fi
    export BIN="$(readlink -f "$BIN")"
    exec timeout --kill-after=10 "$timeout_s" unshare --mount --propagation private --fork "$self" --inside
fi

# --- inside the private mount namespace ------------------------------------------------------------
cd "$root"
journald=/lib/systemd/systemd-journald
[[ -x "$journald" ]] || journald=/usr/lib/systemd/systemd-journald

work="$(mktemp -d /tmp/bouncetail-journald-live.XXXXXX)"
mount -t tmpfs -o mode=0755 tmpfs /run
if [[ -d /var/log/journal ]]; then mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; fi
printf '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nRuntimeMaxUse=64M\n' > "$work/journald.conf"
if [[ -f /etc/systemd/journald.conf ]]; then mount --bind "$work/journald.conf" /etc/systemd/journald.conf; fi

"$journald" &
journald_pid=$!
bt_pid=""
cleanup() {
    [[ -n "$bt_pid" ]] && kill "$bt_pid" 2>/dev/null || true
    kill "$journald_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

fail() { echo "$name: FAIL: $*" >&2; echo "$name: outputs in $work" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }

for _ in $(seq 1 100); do
    [[ -S /run/systemd/journal/socket ]] && break
    sleep 0.1
done
[[ -S /run/systemd/journal/socket ]] || fail "journald did not create /run/systemd/journal/socket"
ok "systemd-journald running in a private mount namespace, pid $journald_pid"

cat > "$work/bouncetail.toml" <<EOF
[general]
host_name = "e2e.test"
time_zone = "UTC"
state_db = "$work/state.db"
log_level = "info"

[sources.journal]
enabled = true
directory = "/run/log/journal"

[sink]
kind = "sqlite"

[metrics]
enabled = false
EOF
"$BIN" check-config --config "$work/bouncetail.toml" > "$work/check-config.out" 2>&1 || { cat "$work/check-config.out" >&2; fail "check-config rejected the test configuration"; }

# The sample's lines as journal export fields: MESSAGE, SYSLOG_IDENTIFIER, SYSLOG_PID, SYSLOG_FACILITY.
python3 - "$root/samples/postfix-mail.log" "$work/entries" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
header = re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ ([^\[:]+)\[(\d+)\]: (.*)$")
n = 0
for line in open(src, encoding="utf-8"):
    m = header.match(line.rstrip("\n"))
    if not m:
        sys.exit(f"unexpected line: {line!r}")
    prog, pid, message = m.groups()
    with open(f"{out}/{n:05d}", "w") as f:
        f.write(f"MESSAGE={message}\nSYSLOG_IDENTIFIER={prog}\nSYSLOG_PID={pid}\nSYSLOG_FACILITY=2\nPRIORITY=6\n")
    n += 1

PY
total=$(ls "$work/entries" | wc -l)
half=$((total / 2))
stopped_end=$((half + total / 10))
# The local store holds forwarded bounces; held ones (sender fault) are in the outbox only.
expected_all=$(awk -F'\t' 'NR > 1 && $3 != "none" && $6 != "hold"' samples/postfix.expect.tsv | wc -l)

write_entries() { # FROM TO (exclusive)
    local i
    for ((i = $1; i < $2; i++)); do
        logger --journald="$work/entries/$(printf %05d "$i")" || fail "logger --journald failed on entry $i"
    done
}

stored_count() {
    "$BIN" export --config "$work/bouncetail.toml" --format jsonl 2>/dev/null | grep -c . || true
}

start_bouncetail() { # LOG
    "$BIN" run --config "$work/bouncetail.toml" >> "$1" 2>&1 &
    bt_pid=$!
    # Entries written before the journal source has positioned itself would be missed by a first start
    # at the tail: wait for its start report.
    for _ in $(seq 1 200); do
        grep -q 'journal: .*\(starting at\|resuming after\|cursor not found\)' "$1" && return 0
        kill -0 "$bt_pid" 2>/dev/null || { cat "$1" >&2; fail "bouncetail run exited at start"; }
        sleep 0.05
    done
    cat "$1" >&2
    fail "bouncetail run did not report its journal start within 10 s"
}

wait_for_count() { # N SECONDS
    local deadline=$((SECONDS + $2)) n
    while ((SECONDS < deadline)); do
        n=$(stored_count)
        ((n >= $1)) && return 0
        sleep 0.1
    done
    return 1
}

stop_bouncetail() {
    kill -TERM "$bt_pid"
    local rc=0
    wait "$bt_pid" || rc=$?
    bt_pid=""
    [[ $rc = 0 ]] || fail "bouncetail run exited $rc after SIGTERM (see $work/run*.log)"
}

# The bounces whose last line is in the first half: what a dry run of those lines finds.
head -n "$half" samples/postfix-mail.log > "$work/first-half.log"
touch -r samples/postfix-mail.log "$work/first-half.log"
expected_half=$("$BIN" backfill --dry-run --quiet --host-name e2e.test --time-zone UTC "$work/first-half.log" 2>/dev/null | grep -c '"action":"forward"' || true)

# 1. First start: at the tail. Half of the entries, then SIGTERM once their bounces are stored.
start_bouncetail "$work/run1.log"
grep -q 'starting at the tail' "$work/run1.log" || fail "a first start should begin at the tail: $(grep journal: "$work/run1.log")"
write_entries 0 "$half"
wait_for_count "$expected_half" 60 || fail "after $half entries, $(stored_count) bounces stored, expected $expected_half"
stop_bouncetail
ok "first run: $half entries, $(stored_count) of $expected_half bounces stored, stopped with SIGTERM (exit 0)"

# 2. Entries written while bouncetail is down.
write_entries "$half" "$stopped_end"

# 3. Restart: resumes after the stored cursor; the rest of the entries.
start_bouncetail "$work/run2.log"
grep -q 'resuming after cursor' "$work/run2.log" || fail "the restart did not resume after the stored cursor: $(grep journal: "$work/run2.log")"
ok "restart resumed after the stored cursor"
write_entries "$stopped_end" "$total"
wait_for_count "$expected_all" 60 || true
sleep 1 # anything late (a repeat) would show now
n=$(stored_count)
[[ $n = "$expected_all" ]] || fail "$n bounces stored, expected $expected_all"

# 4. Every expected bounce exactly once, with the right reason, type, action and listmonk ids.
"$BIN" export --config "$work/bouncetail.toml" --format jsonl > "$work/store.jsonl"
python3 e2e/check.py --forwarded-only samples/postfix.expect.tsv "$work/store.jsonl" journald-live-restart || fail "the store does not match samples/postfix.expect.tsv"
ok "$total entries ($((stopped_end - half)) while stopped): $n bounces stored, each exactly once, across a restart"

# 5. Follow latency: a complete bounce (3 entries) appended, time until it is in the store.
latencies=()
for k in 1 2 3 4 5; do
    qid="$(printf "FACE%02dBEEF" "$k")"  # a Postfix short queue id is hex
    before=$(stored_count)
    t0=$(date +%s%N)
    printf 'MESSAGE=%s: from=<bounces@lab.test>, size=100, nrcpt=1 (queue active)\nSYSLOG_IDENTIFIER=postfix/qmgr\nSYSLOG_FACILITY=2\n' "$qid" | logger --journald
    printf 'MESSAGE=%s: to=<latency%s@example.net>, relay=mx.example.net[192.0.2.9]:25, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.9] said: 550 5.1.1 User unknown (in reply to RCPT TO command))\nSYSLOG_IDENTIFIER=postfix/smtp\nSYSLOG_FACILITY=2\n' "$qid" "$k" | logger --journald
    printf 'MESSAGE=%s: removed\nSYSLOG_IDENTIFIER=postfix/qmgr\nSYSLOG_FACILITY=2\n' "$qid" | logger --journald
    wait_for_count $((before + 1)) 20 || fail "latency probe $k: the bounce did not reach the store within 20 s"
    latencies+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
stop_bouncetail
sorted=($(printf '%s\n' "${latencies[@]}" | sort -n))
ok "follow latency (append of 3 entries -> row in the store, polled with \`bouncetail export\`): median ${sorted[2]} ms, max ${sorted[4]} ms (${latencies[*]})"
echo "$name: PASS"
