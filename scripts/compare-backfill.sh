#!/usr/bin/env bash
# Same results from two bouncetail binaries (a speed change must not change one byte of what is found):
# byte-identical `backfill --dry-run` output, and identical `export` (json, csv, jsonl) and `report` (json) from a
# state database each binary filled from scratch, on samples/ and on a generated Postfix log.
#
#   scripts/compare-backfill.sh BEFORE_BIN AFTER_BIN [SIZE_MB]     (default 20 MB generated log)
#
# Exits 1 and shows the first differences when anything differs. Both binaries use the embedded
# pattern set (the config names an empty patterns directory), so build them from the same patterns/.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: compare-backfill.sh BEFORE_BIN AFTER_BIN [SIZE_MB]}
after=${2:?usage: compare-backfill.sh BEFORE_BIN AFTER_BIN [SIZE_MB]}
size_mb=${3:-20}
work=${BENCH_DIR:-bench-out}/compare
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
gen="$(dirname "$work")/gen-${size_mb}mb.log"
if [[ ! -s "$gen" ]]; then
    echo "generating $gen (${size_mb} MB)..." >&2
    python3 scripts/gen-postfix-log.py "$size_mb" 7 > "$gen.tmp"
    mv "$gen.tmp" "$gen"
fi
gzip -6 -c "$gen" > "$work/gen.log.1.gz"
touch -r "$gen" "$work/gen.log.1.gz"

config() { # config NAME: a config whose state database is private to NAME
    cat > "$work/$1.toml" <<EOT
[general]
host_name = "mx1.test"
time_zone = "UTC"
state_db = "$work/$1-state/state.db"
[classifier]
patterns_dir = "$work/no-patterns"
override_dir = "$work/no-patterns.d"
[outbox]
disk_low_watermark = "1MiB"
[metrics]
enabled = false
EOT
}

status=0
# check LABEL INPUT...: dry run and fresh-database export with both binaries, compared.
check() {
    local label=$1
    shift
    for side in before after; do
        local bin=${!side}
        config "$side"
        rm -rf "$work/$side-state"
        "$bin" backfill --config "$work/$side.toml" --quiet --dry-run "$@" > "$work/$label.$side.dry.jsonl" 2> /dev/null || true
        "$bin" backfill --config "$work/$side.toml" --quiet "$@" > /dev/null 2>&1 || true
        for f in json csv jsonl; do
            "$bin" export --config "$work/$side.toml" --format "$f" > "$work/$label.$side.export.$f"
        done
        # The deliverability report's figures (outcome counts), over all days the logs hold; not when it was made.
        "$bin" report --config "$work/$side.toml" --since 2000-01-01 --until 2100-01-01 --format json \
            | grep -v '"generated_at"' > "$work/$label.$side.report.json"
    done
    for kind in dry.jsonl export.json export.csv export.jsonl report.json; do
        local a="$work/$label.before.$kind" b="$work/$label.after.$kind"
        if cmp -s "$a" "$b"; then
            printf 'same      %-28s %8d lines  %s\n' "$label $kind" "$(wc -l < "$a")" "$(sha256sum < "$a" | cut -c1-16)"
        else
            printf 'DIFFERENT %-28s\n' "$label $kind"
            diff "$a" "$b" | head -20
            status=1
        fi
    done
}
check postfix-sample samples/postfix-mail.log
check exim-sample samples/exim-mainlog
check generated "$gen"
check generated-gz "$work/gen.log.1.gz"
[[ $status -eq 0 ]] && echo "all identical" || echo "outputs differ" >&2
exit $status
