#!/usr/bin/env bash
# The main job on an embedded default: backfills the bundled sample logs (written by real Postfix
# 3.7 and Exim 4.96 in the end-to-end harness) into a local SQLite store, then shows what it found.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
# A debug build is quick and plenty for the sample; `swift build -c release` for real logs.
swift build --product bouncetail
bin=$(swift build --show-bin-path)/bouncetail
state=${1:-./demo/state.db}
# The samples are from 2026-11-26: without --hold-older-than they would be held as "too old to send".
"$bin" backfill --state "$state" --host-name mail.lab.test --time-zone UTC --config scripts/demo.toml \
  samples/postfix-mail.log samples/exim-mainlog
echo "--- outbox"
"$bin" outbox status --state "$state" --config scripts/demo.toml
echo "--- held (sender-fault bounces wait for the operator: bouncetail outbox release)"
"$bin" outbox list --held --state "$state" --config scripts/demo.toml
echo "--- local store (CSV, as bouncetail export --format csv)"
"$bin" export --state "$state" --format csv --config scripts/demo.toml | cut -c1-160
