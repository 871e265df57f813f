#!/usr/bin/env bash
# Whole-process parser throughput: `bouncetail parse --summary` against `LC_ALL=C grep -c 'status='` on the
# same page-cached, generated Postfix log, in the same run.
#
#   scripts/bench-parse.sh [SIZE_MB] [RUNS]      (defaults: 300 MB, best of 3)
#
# Builds the release binary once (slow on a shared machine; set BOUNCETAIL_BIN to reuse one).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-300}
runs=${2:-3}
work=${BENCH_DIR:-bench-out}
mkdir -p "$work"
log="$work/postfix-${size_mb}mb.log"

if [[ ! -s "$log" ]]; then
    echo "generating $log (${size_mb} MB)..." >&2
    python3 scripts/gen-postfix-log.py "$size_mb" > "$log.tmp"
    mv "$log.tmp" "$log"
fi
bin=${BOUNCETAIL_BIN:-}
if [[ -z "$bin" ]]; then
    echo "building release..." >&2
    swift build -c release --product bouncetail >&2
    bin=$(swift build -c release --show-bin-path)/bouncetail
fi

bytes=$(stat -c %s "$log")
cat "$log" > /dev/null  # into the page cache

# Best wall time of $runs runs of a command, in seconds.
best() {
    local best_s=
    for _ in $(seq "$runs"); do
        local start end s
        start=$(date +%s.%N)
        "$@" > /dev/null
        end=$(date +%s.%N)
        s=$(echo "$end - $start" | bc -l)
        if [[ -z "$best_s" ]] || (( $(echo "$s < $best_s" | bc -l) )); then best_s=$s; fi
    done
    echo "$best_s"
}

grep_s=$(best env LC_ALL=C grep -c 'status=' "$log")
parse_s=$(best "$bin" parse --summary --time-zone UTC "$log")
mb=$(echo "$bytes / 1048576" | bc -l)
grep_mbs=$(echo "$mb / $grep_s" | bc -l)
parse_mbs=$(echo "$mb / $parse_s" | bc -l)
ratio=$(echo "100 * $parse_mbs / $grep_mbs" | bc -l)
lines=$(wc -l < "$log")
printf 'file: %s (%.0f MB, %d lines)\n' "$log" "$mb" "$lines"
printf 'grep -c status=        : %7.1f MB/s (%.3f s)\n' "$grep_mbs" "$grep_s"
printf 'bouncetail parse --summary: %7.1f MB/s (%.3f s, %.2f M lines/s)\n' "$parse_mbs" "$parse_s" "$(echo "$lines / $parse_s / 1000000" | bc -l)"
printf 'ratio parse/grep: %.1f%% (target >= 25%%)\n' "$ratio"
"$bin" parse --summary --time-zone UTC "$log"
