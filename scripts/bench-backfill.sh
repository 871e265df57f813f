#!/usr/bin/env bash
# Whole-process backfill throughput: `bouncetail backfill` into a fresh state database against
# `LC_ALL=C grep -c status=` (plain) and `zcat | grep -c status=` (gzip) on the same page-cached,
# generated Postfix log, in the same run. Prints figures; asserts nothing.
#
#   scripts/bench-backfill.sh [SIZE_MB] [RUNS]      (defaults: 100 MB, best of 2)
#
# Builds the release binary once (slow on a shared machine; set BOUNCETAIL_BIN to reuse one).
# Wall time on a shared machine mostly measures the other tenants, so CPU time (user+sys) is shown too.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
size_mb=${1:-100}
runs=${2:-2}
work=${BENCH_DIR:-bench-out}
mkdir -p "$work"
work=$(cd "$work" && pwd) # absolute: the config below names paths inside it
plain="$work/backfill-${size_mb}mb.log"
gz="$work/backfill-gz-${size_mb}mb.log.1.gz"

if [[ ! -s "$plain" ]]; then
    echo "generating $plain (${size_mb} MB)..." >&2
    python3 e2e/maillog.py "$size_mb" 7 bench "$plain.tmp" "$work/expect.tsv"
    mv "$plain.tmp" "$plain"
fi
if [[ ! -s "$gz" ]]; then
    echo "compressing $gz..." >&2
    gzip -6 -c "$plain" > "$gz.tmp"
    touch -r "$plain" "$gz.tmp"
    mv "$gz.tmp" "$gz"
fi
bin=${BOUNCETAIL_BIN:-}
if [[ -z "$bin" ]]; then
    echo "building release..." >&2
    swift build -c release --product bouncetail >&2
    bin=$(swift build -c release --show-bin-path)/bouncetail
fi

cat > "$work/bench.toml" <<EOF
[general]
host_name = "mx1.test"
time_zone = "UTC"
state_db = "$work/bench-state/state.db"
[classifier]
patterns_dir = "$work/no-patterns"
override_dir = "$work/no-patterns.d"
[outbox]
disk_low_watermark = "1MiB"
[metrics]
enabled = false
EOF

bytes=$(stat -c %s "$plain")
gz_bytes=$(stat -c %s "$gz")
cat "$plain" "$gz" > /dev/null # into the page cache

# Best wall time and best CPU time (user+sys) of $runs runs of a shell command, in seconds: "wall cpu".
# The command runs under `sh -c` so that a pipeline's CPU is counted whole (children are waited for).
best() {
    local best_w= best_c=
    for _ in $(seq "$runs"); do
        rm -rf "$work/bench-state"
        /usr/bin/time -f "%e %U %S" -o "$work/time.txt" sh -c "$1" > "$work/out.txt" 2>> "$work/stderr.txt"
        read -r w u s < "$work/time.txt"
        local c
        c=$(echo "$u + $s" | bc -l)
        if [[ -z "$best_w" ]] || (( $(echo "$w < $best_w" | bc -l) )); then best_w=$w; fi
        if [[ -z "$best_c" ]] || (( $(echo "$c < $best_c" | bc -l) )); then best_c=$c; fi
    done
    echo "$best_w $best_c"
}

bf="'$bin' backfill --config '$work/bench.toml' --quiet"
read -r grep_w grep_c <<< "$(best "LC_ALL=C grep -c status= '$plain'")"
read -r zgrep_w zgrep_c <<< "$(best "zcat '$gz' | LC_ALL=C grep -c status=")"
read -r bf_w bf_c <<< "$(best "$bf '$plain'")"
read -r bfz_w bfz_c <<< "$(best "$bf '$gz'")"
mb=$(echo "$bytes / 1000000" | bc -l)
rate() { echo "$mb / $1" | bc -l; }
printf 'log: %.0f MB plain (%s), %.0f MB gzip -6 (%s), %d bounces; best of %d runs; MB = 10^6 bytes of log text\n' \
    "$mb" "$plain" "$(echo "$gz_bytes / 1000000" | bc -l)" "$gz" "$(wc -l < "$work/expect.tsv")" "$runs"
printf '%-36s %9s %9s\n' "" "wall MB/s" "CPU MB/s"
printf '%-36s %9.1f %9.1f\n' "LC_ALL=C grep -c status=" "$(rate "$grep_w")" "$(rate "$grep_c")"
printf '%-36s %9.1f %9.1f\n' "bouncetail backfill (plain)" "$(rate "$bf_w")" "$(rate "$bf_c")"
printf '%-36s %9.1f %9.1f\n' "zcat | LC_ALL=C grep -c status=" "$(rate "$zgrep_w")" "$(rate "$zgrep_c")"
printf '%-36s %9.1f %9.1f\n' "bouncetail backfill (.gz)" "$(rate "$bfz_w")" "$(rate "$bfz_c")"
printf 'ratio backfill/grep, plain: wall %.1f%%, CPU %.1f%%\n' \
    "$(echo "100 * $grep_w / $bf_w" | bc -l)" "$(echo "100 * $grep_c / $bf_c" | bc -l)"
printf 'ratio backfill/zcat|grep, gzip: wall %.1f%%, CPU %.1f%%\n' \
    "$(echo "100 * $zgrep_w / $bfz_w" | bc -l)" "$(echo "100 * $zgrep_c / $bfz_c" | bc -l)"
rm -rf "$work/bench-state"
"$bin" backfill --config "$work/bench.toml" --quiet "$gz" 2>&1 | tail -1
