#!/usr/bin/env bash
# Whole-process backfill throughput beside its peers, on the same page-cached generated Postfix log
# (scripts/gen-postfix-log.py), in one run, everything pinned to two cores (`taskset -c 0,1`):
#
#   bouncetail backfill --dry-run and into a fresh state database, plain and .gz (and the CPU of each of
#   its threads: which one is the critical path)
#   LC_ALL=C grep -c status=            (output to a pipe: GNU grep stops at the first match on /dev/null)
#   zcat FILE.gz | LC_ALL=C grep -c status=
#   mtail --one_shot with Debian's example postfix.mtail (/usr/share/doc/mtail/examples), on an ephemeral loopback port
#   pflogsumm (Debian)
#
#   scripts/bench-backfill.sh [SIZE_MB] [RUNS]      (defaults: 100 MB, best of 2)
#
# Prints figures and ratios; asserts nothing. MB = 10^6 bytes of log text (decompressed for .gz).
# A peer tool that is missing is installed when running as root (apt-get), else its row says why it is
# absent. Builds the release binary once (slow on a shared machine; set BOUNCETAIL_BIN to reuse one).
# Wall time on a shared machine mostly measures the other tenants, so CPU time (user+sys) is shown too.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
size_mb=${1:-100}
runs=${2:-2}
work=${BENCH_DIR:-bench-out}
mkdir -p "$work"
work=$(cd "$work" && pwd) # absolute: the config below names paths inside it
plain="$work/gen-${size_mb}mb.log"
gz="$work/gen-gz-${size_mb}mb.log.1.gz"
pin=(taskset -c 0,1)
command -v taskset > /dev/null || { echo "taskset missing (util-linux): running unpinned" >&2; pin=(); }

if [[ ! -s "$plain" ]]; then
    echo "generating $plain (${size_mb} MB)..." >&2
    python3 scripts/gen-postfix-log.py "$size_mb" 7 > "$plain.tmp"
    mv "$plain.tmp" "$plain"
fi
if [[ ! -s "$gz" || "$gz" -ot "$plain" ]]; then
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

# Peers from Debian's packages: install when root, else say why the row is missing.
declare -A missing=()
need() { # need COMMAND PACKAGE
    command -v "$1" > /dev/null && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
        echo "installing $2 (apt-get)..." >&2
        apt-get install -y -q "$2" > "$work/apt-$2.log" 2>&1 || true
    fi
    command -v "$1" > /dev/null && return 0
    if [[ $(id -u) -ne 0 ]]; then missing[$1]="not installed (apt-get install $2, as root)"
    else missing[$1]="apt-get install $2 failed: see $work/apt-$2.log"; fi
    return 1
}
mtail_prog=/usr/share/doc/mtail/examples/postfix.mtail
if need mtail mtail && [[ ! -s "$mtail_prog" ]]; then
    missing[mtail]="its example program $mtail_prog is absent"
fi
need pflogsumm pflogsumm || true

cat > "$work/bench.toml" <<EOT
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
EOT

bytes=$(stat -c %s "$plain")
gz_bytes=$(stat -c %s "$gz")
cat "$plain" "$gz" > /dev/null # into the page cache
: > "$work/stderr.txt"

# Best wall time and best CPU time (user+sys) of $runs runs of a shell command, in seconds: "wall cpu",
# or "- -" when the command failed. The command runs under `sh -c` so that a pipeline's CPU is counted
# whole (children are waited for); stdout goes to a file (a pipe for grep, inside the command).
# best COMMAND [PROCESS]: with PROCESS, the CPU of each of that process's threads in the run with the best
# wall time goes to $work/threads.txt (scripts/thread-cpu.py, polling from outside the timed command).
best() {
    local best_w= best_c=
    : > "$work/threads.txt"
    for _ in $(seq "$runs"); do
        rm -rf "$work/bench-state"
        /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "${pin[@]}" sh -c "$1" > "$work/out.txt" 2>> "$work/stderr.txt" &
        local timed=$! watcher=
        if [[ -n ${2:-} ]]; then
            python3 scripts/thread-cpu.py "$timed" "$2" > "$work/threads-run.txt" &
            watcher=$!
        fi
        if ! wait "$timed"; then
            [[ -n $watcher ]] && wait "$watcher"
            echo "failed: $1 (see $work/stderr.txt)" >&2
            echo "- -"
            return
        fi
        [[ -n $watcher ]] && wait "$watcher"
        read -r w u s < "$work/time.txt"
        local c
        c=$(echo "$u + $s" | bc -l)
        if [[ -z "$best_w" ]] || (( $(echo "$w < $best_w" | bc -l) )); then
            best_w=$w
            [[ -n $watcher ]] && cp "$work/threads-run.txt" "$work/threads.txt"
        fi
        if [[ -z "$best_c" ]] || (( $(echo "$c < $best_c" | bc -l) )); then best_c=$c; fi
    done
    echo "$best_w $best_c"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
bf="'$bin' backfill --config '$work/bench.toml' --quiet"
declare -A wall=() cpu=() threads=()
measure() { # measure NAME COMMAND [PROCESS]: PROCESS's threads are watched (see best)
    read -r "wall[$1]" "cpu[$1]" <<< "$(best "$2" "${3:-}")"
    [[ -n ${3:-} ]] && threads[$1]=$(cat "$work/threads.txt")
    return 0
}
measure grep "LC_ALL=C grep -c status= '$plain' | cat"
measure zgrep "zcat '$gz' | LC_ALL=C grep -c status= | cat"
proc=$(basename "$bin")
measure dry "$bf --dry-run '$plain'" "$proc"
measure state "$bf '$plain'" "$proc"
measure dryz "$bf --dry-run '$gz'" "$proc"
measure statez "$bf '$gz'" "$proc"
[[ -z ${missing[mtail]:-} ]] && measure mtail "mtail --one_shot --logtostderr --address 127.0.0.1 --port 0 --progs '$mtail_prog' --logs '$plain'"
[[ -z ${missing[pflogsumm]:-} ]] && measure pflogsumm "pflogsumm '$plain'"

mb=$(echo "$bytes / 1000000" | bc -l)
# MB/s, or 0 when the time is below /usr/bin/time's 10 ms resolution (too small a log for that tool).
rate() { [[ $1 == - ]] || (( $(echo "$1 <= 0" | bc -l) )) && echo 0 || echo "$mb / $1" | bc -l; }
# p A B: 100 * B / A, or 0 when A was too fast to time.
pct() { (( $(echo "$1 <= 0" | bc -l) )) && echo 0 || echo "100 * $2 / $1" | bc -l; }
# x A B: B / A, or 0 when A was too fast to time.
times() { (( $(echo "$1 <= 0" | bc -l) )) && echo 0 || echo "$2 / $1" | bc -l; }
row() { # row NAME LABEL
    if [[ -n ${missing[$1]:-} ]]; then
        printf '%-44s %s\n' "$2" "absent: ${missing[$1]}"
    elif [[ ${wall[$1]:-"-"} == - ]]; then
        printf '%-44s %s\n' "$2" "failed (see $work/stderr.txt)"
    else
        printf '%-44s %8.2f %8.2f %9.1f %9.1f\n' "$2" "${wall[$1]}" "${cpu[$1]}" "$(rate "${wall[$1]}")" "$(rate "${cpu[$1]}")"
    fi
}
# ratio LABEL A B: how A's time compares with B's (B/A as a percentage, or A's speed-up over B).
ratio() {
    local a=$2 b=$3
    if [[ -n ${missing[$a]:-}${missing[$b]:-} || ${wall[$a]:-"-"} == - || ${wall[$b]:-"-"} == - ]]; then
        printf '%-54s n/a\n' "$1"
        return
    fi
    if [[ $4 == pct ]]; then
        printf '%-54s wall %6.1f%%  CPU %6.1f%%\n' "$1" "$(pct "${wall[$a]}" "${wall[$b]}")" \
            "$(pct "${cpu[$a]}" "${cpu[$b]}")"
    else
        printf '%-54s wall %6.1fx  CPU %6.1fx\n' "$1" "$(times "${wall[$a]}" "${wall[$b]}")" \
            "$(times "${cpu[$a]}" "${cpu[$b]}")"
    fi
}
printf 'log: %.0f MB plain (%s, %d lines, %d status=bounced), %.0f MB gzip -6; best of %d runs; %s\n' \
    "$mb" "$plain" "$(wc -l < "$plain")" "$(LC_ALL=C grep -c status=bounced "$plain")" \
    "$(echo "$gz_bytes / 1000000" | bc -l)" "$runs" "${pin[*]:-unpinned}"
printf 'MB = 10^6 bytes of log text (decompressed for .gz); load average %s at the start, %s at the end; %s CPUs\n' \
    "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
printf '%-44s %8s %8s %9s %9s\n' "" "wall s" "CPU s" "wall MB/s" "CPU MB/s"
row grep "LC_ALL=C grep -c status= | cat"
row dry "bouncetail backfill --dry-run (plain)"
row state "bouncetail backfill, fresh state db (plain)"
row zgrep "zcat | LC_ALL=C grep -c status= | cat"
row dryz "bouncetail backfill --dry-run (.gz)"
row statez "bouncetail backfill, fresh state db (.gz)"
row mtail "mtail --one_shot postfix.mtail (plain)"
row pflogsumm "pflogsumm (plain)"
ratio "backfill state db / grep -c, plain (target >= 12%)" state grep pct
ratio "backfill --dry-run / grep -c, plain" dry grep pct
ratio "backfill state db / zcat|grep -c, .gz (target >= 60%)" statez zgrep pct
ratio "backfill state db vs mtail, plain (target >= 20x)" state mtail x
ratio "backfill state db vs pflogsumm, plain" state pflogsumm x
# Which thread is the critical path: a thread whose CPU is close to the row's wall time bounds it.
echo "bouncetail's threads in the best-wall run, CPU s each, busiest first (scripts/thread-cpu.py; a thread's"
echo "last 50 ms may be missed): backfill-read reads, inflates, splits and parses; backfill-commit writes the"
echo "state database; the one named after Swift's thread pool (...default-qos) tracks and classifies:"
for name in dry state dryz statez; do
    label=$(case $name in dry) echo "--dry-run (plain)" ;; state) echo "fresh state db (plain)" ;;
        dryz) echo "--dry-run (.gz)" ;; statez) echo "fresh state db (.gz)" ;; esac)
    printf '  %-24s wall %6.2f  %s\n' "$label" "${wall[$name]/-/0}" "${threads[$name]:-(not measured)}"
done
rm -rf "$work/bench-state"
"${pin[@]}" "$bin" backfill --config "$work/bench.toml" --quiet "$gz" 2>&1 | tail -1
