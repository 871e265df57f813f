#!/usr/bin/env bash
# Follow-mode figures of `bouncetail run`, pinned to two cores (`taskset -c 0,1`), on a live file it
# follows into a fresh state database (local store; fsyncs as configured, nothing relaxed):
#
#   append -> committed latency p50/p99 (one message per write, the position committed with its events)
#   CPU per 1,000 lines/s of live log (a steady rate of generated Postfix lines)
#   idle CPU over 60 s, RSS idle
#   RSS with N messages in flight (queued, never finished: tracker state per message)
#   a restart on that state database: time, CPU and RSS until the first new line is committed (the
#   tracker_state rows loaded back)
#
#   scripts/bench-follow.sh [RATE_LINES_PER_S] [IDLE_S] [MESSAGES] [CAP]
#
# Defaults: 2000, 60, 1000000, and CAP (written as `tracker.state_max_messages`) MESSAGES + 10%, at least
# the daemon's default 200000, so every message stays in flight; a smaller CAP shows the eviction.
#
# Prints figures and the load average; asserts nothing (scripts/bench-follow.py does the measuring).
# Builds the release binary once (slow on a shared machine; set BOUNCETAIL_BIN to reuse one).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
rate=${1:-2000}
idle=${2:-60}
messages=${3:-1000000}
cap_default=$((messages + messages / 10))
((cap_default >= 200000)) || cap_default=200000
cap=${4:-$cap_default}
work=${BENCH_DIR:-bench-out}
mkdir -p "$work"
work=$(cd "$work" && pwd)/follow
rm -rf "$work"
mkdir -p "$work"
source_log="$(dirname "$work")/gen-20mb.log"
if [[ ! -s "$source_log" ]]; then
    python3 scripts/gen-postfix-log.py 20 7 > "$source_log.tmp"
    mv "$source_log.tmp" "$source_log"
fi
bin=${BOUNCETAIL_BIN:-}
if [[ -z "$bin" ]]; then
    echo "building release..." >&2
    swift build -c release --product bouncetail >&2
    bin=$(swift build -c release --show-bin-path)/bouncetail
fi
pin=(taskset -c 0,1)
command -v taskset > /dev/null || { echo "taskset missing (util-linux): running unpinned" >&2; pin=(); }

live="$work/mail.log"
# A first stretch of log, so the file has its content identity before the measurements start.
head -n 2000 "$source_log" > "$live"
cat > "$work/follow.toml" <<EOT
[general]
host_name = "mx1.test"
time_zone = "UTC"
state_db = "$work/state/state.db"
log_level = "warning"
[[sources.file]]
name = "bench"
paths = ["$live"]
start_at = "beginning"
[classifier]
patterns_dir = "$work/no-patterns"
override_dir = "$work/no-patterns.d"
[outbox]
disk_low_watermark = "1MiB"
[metrics]
enabled = false
[tracker]
state_max_messages = $cap
EOT
"$bin" check-config --config "$work/follow.toml" 2>&1 | grep '^tracker:' || true
"${pin[@]}" "$bin" run --config "$work/follow.toml" 2> "$work/daemon.err" &
pid=$!
trap 'kill $pid 2> /dev/null || true' EXIT
for _ in $(seq 100); do
    [[ -s "$work/state/state.db" ]] && break
    sleep 0.1
done
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; ${pin[*]:-unpinned}"
"${pin[@]}" python3 scripts/bench-follow.py "$pid" "$live" "$work/state/state.db" "$source_log" \
    --rate "$rate" --idle "$idle" --messages "$messages" --cap "$cap"
echo "load average after the in-flight phase: $(cut -d' ' -f1-3 /proc/loadavg)"
stop_start=$(date +%s.%N)
kill "$pid"
wait "$pid" 2> /dev/null || true
echo "stop (SIGTERM) with the messages in flight: $(awk -v a="$stop_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
mb() { if [[ -e $1 ]]; then awk -v n="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", n / 1e6 }'; else echo 0; fi; }
echo "state database: $(mb "$work/state/state.db") MB (WAL $(mb "$work/state/state.db-wal") MB)"
started=$(date +%s.%N)
"${pin[@]}" "$bin" run --config "$work/follow.toml" 2>> "$work/daemon.err" &
pid=$!
"${pin[@]}" python3 scripts/bench-follow.py "$pid" "$live" "$work/state/state.db" "$source_log" \
    --after-restart "$started"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"
wait "$pid" 2> /dev/null || true
trap - EXIT
