#!/usr/bin/env bash
# The main job on an embedded default: backfills the bundled sample logs (written by real Postfix
# 3.7 and Exim 4.96 in the end-to-end harness) into a local SQLite store, then shows what it found.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
swift build -c release --product bouncetail
bin=$(swift build -c release --show-bin-path)/bouncetail
state=${1:-./demo/state.db}
"$bin" backfill --state "$state" --host-name mail.lab.test samples/postfix-mail.log samples/exim-mainlog
"$bin" outbox status --state "$state"
"$bin" export --state "$state" --format csv
