#!/usr/bin/env bash
# Whole-process durability tests (issue 4): SIGKILL during backfill and follow, rotation under load,
# backfill and run sharing one state database; prints follow latency and debug backfill throughput.
# Runs as a normal user (nothing needs root), needs python3, gzip; about 3-4 minutes on 2 busy cores.
#
#     e2e/durability.sh [--work DIR] [--only backfill,follow,rotation,shared,latency] [durability.py options]
#
# Uses the debug build of `swift build --product bouncetail` (BOUNCETAIL_BIN overrides). Exits non-zero
# on any failure; the last line is "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

if [ -n "${BOUNCETAIL_BIN:-}" ]; then
  bin=$BOUNCETAIL_BIN
else
  # Incremental: a no-op when the binary is current, so a stale binary is never tested.
  swift build --product bouncetail
  bin=$(swift build --product bouncetail --show-bin-path)/bouncetail
fi
command -v python3 >/dev/null || { echo "durability: python3 is needed"; echo "0 passed, 1 failed"; exit 1; }
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
exec python3 e2e/durability.py --bin "$bin" "$@"
