#!/usr/bin/env bash
# Whole-process figures for bounce mails (issue 12):
#  - mails/s through `bouncetail classify-mail` over a directory of mails (read, parse, classify, print);
#  - wall time of one `bouncetail ingest-mail` invocation, start-up included, committing to a fresh
#    state database each time (target: 25 ms or less), against `bouncetail --help` (the process floor).
#
#   scripts/bench-mail.sh MAIL_DIR [RUNS]        (default: best of 5)
#
# MAIL_DIR is any directory of .eml files (e.g. the sisimai sample mails outside this repository, or
# mails your MTA wrote). Builds the release binary once (slow on a shared machine; set BOUNCETAIL_BIN
# to reuse one). Prints best wall and CPU times: on a shared machine wall time measures the tenants too.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/bench-mail.sh MAIL_DIR [RUNS]}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=${BOUNCETAIL_BIN:-}
if [[ -z "$bin" ]]; then
    echo "building release..." >&2
    swift build -c release --product bouncetail >&2
    bin=$(swift build -c release --show-bin-path)/bouncetail
fi
mails=("$dir"/*.eml)
n=${#mails[@]}
cat "${mails[@]}" > /dev/null  # into the page cache
printf '[general]\nstate_db = "%s/state.db"\nhost_name = "bench"\n[mail]\nreview_dir = "%s/review"\n' \
    "$work" "$work" > "$work/bench.toml"

# Best "wall cpu" (seconds) of $runs runs of a command.
best() {
    local bw= bc=
    for _ in $(seq "$runs"); do
        # Bash's own `time` reports milliseconds; /usr/bin/time's 10 ms steps were too coarse for 25 ms.
        { TIMEFORMAT='%3R %3U %3S'; time "$@" > /dev/null 2> /dev/null < "${STDIN:-/dev/null}"; } 2> "$work/time.txt"
        read -r w u s < "$work/time.txt"
        local c
        c=$(echo "$u + $s" | bc -l)
        if [[ -z "$bw" ]] || (( $(echo "$w < $bw" | bc -l) )); then bw=$w; fi
        if [[ -z "$bc" ]] || (( $(echo "$c < $bc" | bc -l) )); then bc=$c; fi
    done
    echo "$bw $bc"
}

read -r cw cc < <(best "$bin" classify-mail "${mails[@]}")
echo "classify-mail: $n mails, best wall ${cw}s (cpu ${cc}s): $(echo "$n / $cw" | bc) mails/s"
read -r hw hc < <(best "$bin" --help)
one=${mails[0]}
rm -f "$work"/state.db*
read -r iw ic < <(STDIN="$one" best "$bin" ingest-mail --config "$work/bench.toml")
echo "bouncetail --help: best wall ${hw}s (cpu ${hc}s)"
echo "ingest-mail (one mail, start-up included): best wall ${iw}s (cpu ${ic}s); target 0.025s: ratio $(echo "scale=2; $iw / 0.025" | bc)"
