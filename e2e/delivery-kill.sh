#!/usr/bin/env bash
# Kills `bouncetail run` (SIGKILL) several times while its dispatcher has requests in flight to a listmonk
# double, restarts it, and checks that every bounce reached listmonk: nothing lost. listmonk's webhook is
# not idempotent, so a request that was in flight when the process died may be sent again after the
# restart: duplicates must stay within kills x concurrency. Needs no root. Prints 'N passed, M failed'.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BOUNCETAIL_BIN:-$(swift build --show-bin-path)/bouncetail}
[ -x "$bin" ] || swift build --product bouncetail
work=$(mktemp -d /tmp/bt-delivery-kill.XXXXXX)
n=${BOUNCES:-400}
kills=${KILLS:-4}
port=$((20000 + RANDOM % 20000))
concurrency=4

python3 - "$work/mail.log" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        q = "%010X" % (0xB00000000 + i)
        t = "2026-11-26T10:%02d:%02d.000000+00:00" % (i // 60 % 60, i % 60)
        f.write(f"{t} mail postfix/qmgr[10]: {q}: from=<bounces@lab.test>, size=900, nrcpt=1 (queue active)\n")
        f.write(f"{t} mail postfix/smtp[11]: {q}: to=<dead{i}@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said: 550 5.1.1 <dead{i}@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))\n")
        f.write(f"{t} mail postfix/qmgr[10]: {q}: removed\n")
PY
printf 'secret-token\n' > "$work/token"
cat > "$work/bt.toml" <<CF
[general]
host_name = "kill.test"
time_zone = "UTC"
state_db = "$work/state.db"

[[sources.file]]
paths = ["$work/mail.log"]
start_at = "beginning"

[listmonk]
url = "http://127.0.0.1:$port/"
username = "bouncetail"
token_file = "$work/token"
concurrency = $concurrency
rate_per_second = 1000

[sink]
kind = "webhook"

[metrics]
enabled = false

[outbox]
hold_older_than = "36500d"
CF

python3 e2e/listmonk_double.py "$port" "$work/received.jsonl" --delay 0.02 &
double=$!
trap 'kill $double 2>/dev/null || true; [ -n "${pid:-}" ] && kill -9 $pid 2>/dev/null || true' EXIT
sleep 0.5

for k in $(seq 1 "$kills"); do
  "$bin" run --config "$work/bt.toml" >>"$work/run.log" 2>&1 &
  pid=$!
  # Kill while delivering: once listmonk has received about k/(kills+1) of the bounces.
  target=$((n * k / (kills + 1)))
  for _ in $(seq 1 300); do
    [ "$(cat "$work/received.jsonl" 2>/dev/null | wc -l)" -ge "$target" ] && break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "delivery-kill: SIGKILL $k: listmonk has received $(cat "$work/received.jsonl" 2>/dev/null | wc -l) so far"
done
"$bin" run --config "$work/bt.toml" >>"$work/run.log" 2>&1 &
pid=$!
start=$SECONDS
while [ $((SECONDS - start)) -lt 60 ]; do
  status=$("$bin" outbox status --json --config "$work/bt.toml" 2>/dev/null || true)
  [ "$status" = "$(printf '{"pending":0,"held":0,"sent":%d,"dead":0,"stored":0,"oldest_pending_seconds":null}' "$n")" ] && break
  sleep 0.5
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""

python3 - "$work/received.jsonl" "$n" "$kills" "$concurrency" "$rc" <<'PY'
import collections, json, sys
path, n, kills, conc, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
got = collections.Counter(json.loads(l)["email"] for l in open(path))
expected = {f"dead{i}@example.net" for i in range(n)}
missing = expected - set(got)
dups = sum(c - 1 for c in got.values())
passed = failed = 0
def check(ok, what):
    global passed, failed
    if ok: passed += 1
    else:
        failed += 1; print("FAIL", what)
check(not missing, f"{len(missing)} bounces never reached listmonk, e.g. {sorted(missing)[:3]}")
check(set(got) <= expected, "listmonk received addresses that did not bounce")
check(dups <= kills * conc, f"{dups} duplicates after {kills} kills (at most {kills * conc} expected)")
check(rc == 0, f"SIGTERM exit status {rc}, expected 0")
print(f"delivery-kill: {len(got)} of {n} delivered after {kills} SIGKILLs, {dups} duplicate(s) (requests in flight at a kill)")
print(f"delivery-kill: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
