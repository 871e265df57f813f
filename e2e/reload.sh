#!/usr/bin/env bash
# SIGHUP reloads the pattern set in a running `bouncetail run`: a valid override is accepted, a broken one
# is refused with the file and line, and the daemon keeps running on the old set. Needs no root.
# Prints 'N passed, M failed'.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BOUNCETAIL_BIN:-$(swift build --show-bin-path)/bouncetail}
[ -x "$bin" ] || swift build --product bouncetail
work=$(mktemp -d /tmp/bt-reload.XXXXXX)
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/patterns.d"
: > "$work/mail.log"
cat > "$work/bt.toml" <<CF
[general]
host_name = "reload.test"
state_db = "$work/state.db"

[[sources.file]]
paths = ["$work/mail.log"]

[classifier]
override_dir = "$work/patterns.d"

[metrics]
listen = "127.0.0.1:$port"
CF
"$bin" run --config "$work/bt.toml" > "$work/run.log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
passed=0
failed=0
check() { if eval "$1"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL reload: $2"; fi; }
metric() { curl -s "127.0.0.1:$port/metrics" | grep "^bouncetail_pattern_reloads_total{result=\"$1\"}" | awk '{print $2}'; }
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# 1. A valid override: an extra probe with its test vector.
cat > "$work/patterns.d/local.toml" <<'TOML'
[[probe]]
id = "local.mailboxfull.example"
reason = "mailboxfull"
contains = ["the example mailbox is stuffed"]
[[probe.vector]]
text = "552 the example mailbox is stuffed"
expect = "mailboxfull"
TOML
kill -HUP "$pid"
sleep 2
check '[ "$(metric accepted)" = 1 ]' "a valid override was not accepted: $(tail -3 "$work/run.log")"

# 2. A broken override: the reload is refused, the daemon keeps running and healthy.
printf '[[probe]]\nid = "broken"\nreason = "no-such-reason"\n' > "$work/patterns.d/broken.toml"
kill -HUP "$pid"
sleep 2
check '[ "$(metric refused)" = 1 ]' "a broken override was not refused"
check 'grep -q "broken.toml" "$work/run.log"' "the refusal does not name the broken file"
check 'kill -0 $pid 2>/dev/null' "the daemon died on a refused reload"
check 'curl -sf "127.0.0.1:$port/healthz" >/dev/null' "/healthz is not ok after a refused reload"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
check '[ $rc = 0 ]' "SIGTERM exit status $rc"

# 3. A stop asked for while starting (here: as soon as the start-up summary is written, while the
# pattern set loads) is a clean stop, not a death by the signal's default action.
rm -f "$work/patterns.d/broken.toml"
"$bin" run --config "$work/bt.toml" > "$work/run2.log" 2>&1 &
pid=$!
for _ in $(seq 1 1000); do [ -s "$work/run2.log" ] && break; sleep 0.01; done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
check '[ $rc = 0 ]' "SIGTERM during start-up: exit status $rc (143 = killed by the signal): $(tail -3 "$work/run2.log")"
echo "reload: $passed passed, $failed failed"
[ $failed = 0 ]
