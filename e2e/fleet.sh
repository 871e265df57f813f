#!/usr/bin/env bash
# A fleet read centrally: each machine's bounces once, under its own host, although the machines' Postfix
# queue ids collide (docs/fleet.md).
#
#   1. A central file as rsyslog/syslog-ng write it: the real Postfix log of samples/postfix-mail.log as
#      logged by three machines (`mx1`, `mx2.example.org`, `MX3`: short, qualified and upper-case names),
#      every line interleaved in time. The three use the same queue ids at the same seconds.
#   2. A systemd-journal-remote directory (`remote-<host>.journal` per machine, as --split-mode=host writes
#      it) of two machines: mx1.example.org with the Postfix sample, mx2.example.org with the Postfix and
#      the Exim sample.
# Each through `backfill --dry-run`, `backfill` into a state database (twice: the second adds nothing) and
# `run` (following from the beginning): for every machine, exactly the expected events (e2e/check.py), each
# with that machine's `meta.host`, and nothing else.
# Needs no root. The journal part says SKIPPED without systemd-journal-remote. Exit 1 on any failure.
#   BIN=.build/debug/bouncetail e2e/fleet.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
name=fleet
if [[ -z "${BIN:-}" ]]; then
    swift build --product bouncetail
    BIN="$(swift build --show-bin-path)/bouncetail"
fi
work="$(mktemp -d /tmp/bouncetail-fleet.XXXXXX)"
fail() { echo "$name: FAIL: $*" >&2; echo "$name: outputs in $work" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }
mtime="$(stat -c %Y samples/postfix-mail.log)"

# Splits EVENTS_JSONL by meta.host into DIR/HOST.jsonl; fails on a host outside HOSTS (space-separated).
split_hosts() { # EVENTS DIR HOSTS
    python3 - "$1" "$2" "$3" <<'PY'
import json, os, sys
events, out, hosts = sys.argv[1], sys.argv[2], sys.argv[3].split()
os.makedirs(out, exist_ok=True)
files = {h: open(os.path.join(out, h + ".jsonl"), "w") for h in hosts}
for line in open(events):
    if not line.strip():
        continue
    host = json.loads(line)["meta"]["host"]
    if host not in files:
        sys.exit(f"an event with meta.host {host!r}, expected one of {hosts}")
    files[host].write(line)
PY
}

# Checks that DIR/HOST.jsonl matches EXPECT for each HOST of "HOST:EXPECT[,EXPECT] ...".
check_hosts() { # LABEL DIR [--forwarded-only] SPEC...
    local label=$1 dir=$2 flag="" spec host expects
    shift 2
    if [[ ${1:-} == --forwarded-only ]]; then flag=--forwarded-only; shift; fi
    for spec in "$@"; do
        host=${spec%%:*}
        expects=${spec#*:}
        python3 - "$expects" > "$dir/$host.expect.tsv" <<'PY'
import sys
paths = sys.argv[1].split(",")
for i, p in enumerate(paths):
    lines = open(p).read().splitlines()
    print("\n".join(lines if i == 0 else lines[1:]))
PY
        python3 e2e/check.py $flag "$dir/$host.expect.tsv" "$dir/$host.jsonl" "$name-$label-$host" >/dev/null \
            || { python3 e2e/check.py $flag "$dir/$host.expect.tsv" "$dir/$host.jsonl" "$name-$label-$host" | grep FAIL | head -5 >&2; fail "$label: $host's events do not match"; }
    done
}

# Follows CONFIG with `run` until the local store holds N bounces (or about 90 s), then stops it.
run_until() { # CONFIG STATE N LOG
    local config=$1 state=$2 want=$3 log=$4 pid have=0
    "$BIN" run --config "$config" > "$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 180); do
        have=$(python3 -c 'import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM bounces").fetchone()[0])
except Exception: print(0)' "$state")
        [[ $have -ge $want ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    sleep 1 # anything beyond N would have arrived by now
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    [[ $have -ge $want ]] || fail "run stored $have of $want bounces: $(tail -5 "$log")"
}

forwarded() { # EXPECT... : how many expected bounces are forwarded (not held)
    python3 - "$@" <<'PY'
import csv, sys
n = 0
for p in sys.argv[1:]:
    for r in csv.DictReader(open(p), delimiter="\t"):
        n += r["outcome"] != "none" and r["action"] != "hold"
print(n)
PY
}

config() { # DIR [EXTRA TOML]
    cat > "$1/bt.toml" <<TOML
[general]
host_name = "central.example.org"
time_zone = "UTC"
state_db = "$1/state.db"
[classifier]
patterns_dir = "/nonexistent"
override_dir = "/nonexistent"
[outbox]
hold_older_than = "36500d"
[metrics]
listen = "127.0.0.1:$((20000 + RANDOM % 20000))"
${2:-}
TOML
}

pf=samples/postfix.expect.tsv
ex=samples/exim.expect.tsv

# --- 1. a central file -----------------------------------------------------------------------------------
dir="$work/file"
mkdir -p "$dir"
python3 - samples/postfix-mail.log "mx1 mx2.example.org MX3" > "$dir/central.log" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
hosts = sys.argv[2].split()
# Line i of every machine, then line i+1: the same queue ids at the same seconds, interleaved.
for line in lines:
    for h in hosts:
        parts = line.split(" ", 4)  # Mon DD HH:MM:SS host rest (a one-digit day has two spaces)
        if parts[1] == "":
            parts = line.split(" ", 5)
            print(" ".join(parts[:4] + [h, parts[5]]))
        else:
            print(" ".join(parts[:3] + [h, parts[4]]))
PY
touch -d "@$mtime" "$dir/central.log"
for h in mx1 mx2.example.org MX3; do
    n=$(grep -c " $h postfix/" "$dir/central.log")
    [[ $n -eq $(wc -l < samples/postfix-mail.log) ]] || fail "central file: $h has $n lines"
done
config "$dir"
"$BIN" backfill --dry-run --quiet --config "$dir/bt.toml" "$dir/central.log" > "$dir/dry.jsonl" 2> "$dir/dry.err" \
    || fail "central file dry run: $(cat "$dir/dry.err")"
split_hosts "$dir/dry.jsonl" "$dir/dry" "mx1 mx2 mx3" || fail "central file dry run: unexpected host"
check_hosts dry "$dir/dry" "mx1:$pf" "mx2:$pf" "mx3:$pf"
ok "central file, 3 hosts, colliding queue ids: dry run gives each host's bounces once ($(grep -c . "$dir/dry.jsonl") events)"

"$BIN" backfill --quiet --config "$dir/bt.toml" "$dir/central.log" 2> "$dir/db1.err" || fail "central file backfill: $(cat "$dir/db1.err")"
"$BIN" backfill --quiet --config "$dir/bt.toml" "$dir/central.log" 2> "$dir/db2.err" || fail "central file backfill again: $(cat "$dir/db2.err")"
grep -q ' 0 new' "$dir/db2.err" || fail "the second backfill of the central file added bounces: $(cat "$dir/db2.err")"
"$BIN" export --config "$dir/bt.toml" --format jsonl > "$dir/store.jsonl"
split_hosts "$dir/store.jsonl" "$dir/store" "mx1 mx2 mx3" || fail "central file store: unexpected host"
check_hosts store "$dir/store" --forwarded-only "mx1:$pf" "mx2:$pf" "mx3:$pf"
ok "central file: backfill stores each host's bounces once; again: 0 new"

rdir="$work/file-run"
mkdir -p "$rdir"
config "$rdir" "[[sources.file]]
paths = [\"$dir/central.log\"]
start_at = \"beginning\""
run_until "$rdir/bt.toml" "$rdir/state.db" $((3 * $(forwarded $pf))) "$rdir/run.log"
"$BIN" export --config "$rdir/bt.toml" --format jsonl > "$rdir/store.jsonl"
split_hosts "$rdir/store.jsonl" "$rdir/store" "mx1 mx2 mx3" || fail "central file run: unexpected host"
check_hosts run "$rdir/store" --forwarded-only "mx1:$pf" "mx2:$pf" "mx3:$pf"
ok "central file: run stores each host's bounces once"

# --- 2. a journal-remote directory ---------------------------------------------------------------------
remote=/lib/systemd/systemd-journal-remote
[[ -x $remote ]] || remote=/usr/lib/systemd/systemd-journal-remote
if [[ ! -x $remote ]]; then
    echo "$name: journal part SKIPPED: systemd-journal-remote not found (apt-get install systemd-journal-remote)"
    echo "$name: PASS"
    exit 0
fi
jdir="$work/journal"
mkdir -p "$jdir/remote"
# As journald stores each line (see e2e/journal-backfill.sh), per machine, with its own boot id and _HOSTNAME.
export_of() { # HOSTNAME BOOT_ID LOG KIND
    python3 - "$@" "$mtime" <<'PY'
import calendar, re, struct, sys, time
host, boot, path, kind, mtime = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
out = sys.stdout.buffer
ref_year = time.gmtime(mtime).tm_year
syslog = re.compile(r"^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) \S+ ([^\[:]+)\[(\d+)\]: (.*)$")
exim = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ")
months = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
for i, line in enumerate(open(path, encoding="utf-8")):
    line = line.rstrip("\n")
    if kind == "postfix":
        mon, day, hh, mm, ss, prog, pid, message = syslog.match(line).groups()
        t = calendar.timegm((ref_year, months[mon], int(day), int(hh), int(mm), int(ss)))
        fields = {"SYSLOG_IDENTIFIER": prog, "_PID": pid, "_SYSTEMD_UNIT": "postfix@-.service"}
    else:
        t = calendar.timegm(tuple(int(x) for x in exim.match(line).groups()))
        message = line
        fields = {"SYSLOG_IDENTIFIER": "exim", "_SYSTEMD_UNIT": "exim4.service"}
    head = {"__REALTIME_TIMESTAMP": str(t * 1_000_000), "__MONOTONIC_TIMESTAMP": str(7_000_000 + i * 1000),
            "_BOOT_ID": boot, "_HOSTNAME": host, "SYSLOG_FACILITY": "2", **fields}
    for k, v in head.items():
        out.write(f"{k}={v}\n".encode())
    data = message.encode()
    out.write(b"MESSAGE\n" + struct.pack("<Q", len(data)) + data + b"\n\n")
PY
}
export_of mx1.example.org 11111111111111111111111111111111 samples/postfix-mail.log postfix > "$jdir/mx1.export"
{ export_of mx2.example.org 22222222222222222222222222222222 samples/postfix-mail.log postfix
  export_of mx2.example.org 22222222222222222222222222222222 samples/exim-mainlog exim; } > "$jdir/mx2.export"
for m in mx1 mx2; do
    "$remote" --output="$jdir/remote/remote-$m.example.org.journal" - < "$jdir/$m.export" 2> "$jdir/$m.err" \
        || fail "systemd-journal-remote: $(cat "$jdir/$m.err")"
done
config "$jdir"
"$BIN" backfill --dry-run --quiet --config "$jdir/bt.toml" --journal --journal-dir "$jdir/remote" > "$jdir/dry.jsonl" 2> "$jdir/dry.err" \
    || fail "journal dry run: $(cat "$jdir/dry.err")"
split_hosts "$jdir/dry.jsonl" "$jdir/dry" "mx1 mx2" || fail "journal dry run: unexpected host"
check_hosts dry "$jdir/dry" "mx1:$pf" "mx2:$pf,$ex"
ok "journal-remote directory, 2 machines, colliding queue ids: dry run gives each machine's bounces once ($(grep -c . "$jdir/dry.jsonl") events)"

"$BIN" backfill --quiet --config "$jdir/bt.toml" --journal --journal-dir "$jdir/remote" 2> "$jdir/db1.err" || fail "journal backfill: $(cat "$jdir/db1.err")"
"$BIN" backfill --quiet --config "$jdir/bt.toml" --journal --journal-dir "$jdir/remote" 2> "$jdir/db2.err" || fail "journal backfill again: $(cat "$jdir/db2.err")"
grep -q ' 0 new' "$jdir/db2.err" || fail "the second journal backfill added bounces: $(cat "$jdir/db2.err")"
"$BIN" export --config "$jdir/bt.toml" --format jsonl > "$jdir/store.jsonl"
split_hosts "$jdir/store.jsonl" "$jdir/store" "mx1 mx2" || fail "journal store: unexpected host"
check_hosts store "$jdir/store" --forwarded-only "mx1:$pf" "mx2:$pf,$ex"
ok "journal-remote directory: backfill stores each machine's bounces once; again: 0 new"

rdir="$work/journal-run"
mkdir -p "$rdir/remote"
# `run` starts a journal it has no cursor for at its end, so its first cursor is set by a backfill of a
# directory holding one older entry; the machines' journals are added, and `run` resumes after the cursor.
# The older entry must sort before every sample entry (2026-11-26).
python3 - "$(( 1793491200 * 1000000 ))" > "$rdir/seed.export" <<'PY'
import struct, sys
head = {"__REALTIME_TIMESTAMP": sys.argv[1], "__MONOTONIC_TIMESTAMP": "1000", "_BOOT_ID": "3" * 32,
        "_HOSTNAME": "central", "SYSLOG_IDENTIFIER": "postfix/anvil", "_PID": "7", "_SYSTEMD_UNIT": "postfix@-.service",
        "SYSLOG_FACILITY": "2"}
out = sys.stdout.buffer
for k, v in head.items():
    out.write(f"{k}={v}\n".encode())
data = b"statistics: max connection rate 1/60s for (smtp:192.0.2.1)"
out.write(b"MESSAGE\n" + struct.pack("<Q", len(data)) + data + b"\n\n")
PY
"$remote" --output="$rdir/remote/remote-central.journal" - < "$rdir/seed.export" 2> "$rdir/seed.err" || fail "systemd-journal-remote: $(cat "$rdir/seed.err")"
config "$rdir" "[sources.journal]
enabled = true
directory = \"$rdir/remote\""
"$BIN" backfill --quiet --config "$rdir/bt.toml" --journal --journal-dir "$rdir/remote" 2> "$rdir/seed-backfill.err" \
    || fail "journal seed backfill: $(cat "$rdir/seed-backfill.err")"
cp "$jdir/remote/"remote-mx*.journal "$rdir/remote/"
run_until "$rdir/bt.toml" "$rdir/state.db" $((2 * $(forwarded $pf) + $(forwarded $ex))) "$rdir/run.log"
"$BIN" export --config "$rdir/bt.toml" --format jsonl > "$rdir/store.jsonl"
split_hosts "$rdir/store.jsonl" "$rdir/store" "mx1 mx2" || fail "journal run: unexpected host"
check_hosts run "$rdir/store" --forwarded-only "mx1:$pf" "mx2:$pf,$ex"
ok "journal-remote directory: run stores each machine's bounces once"
rm -rf "$work"
echo "$name: PASS"
