#!/usr/bin/env bash
# Follows a real systemd-journald with bouncetail's JournalSource.
#
# Starts /lib/systemd/systemd-journald by hand (no systemd as PID 1 needed) inside a private mount
# namespace whose /run (and /var/log/journal) are fresh tmpfs, so the host's journal is never
# touched; writes Postfix-style entries and noise with `logger --journald`; then runs the live
# journal tests (Tests/BounceSourcesTests/JournalLiveTests.swift) against /run/log/journal: a
# backfill of what logger wrote, and a follower fed 400 entries (with a `journalctl --rotate` in
# the middle) that must see each once, in order, and resume after a mid-way cursor exactly.
# Needs root. Bounded: the namespace part is killed after $LIVE_TIMEOUT seconds (default 300).
#
#   scripts/journald-live-test.sh            # builds the tests first
#   SKIP_BUILD=1 scripts/journald-live-test.sh
#   PACKAGE_DIR=/path/to/package scripts/journald-live-test.sh   # another checkout holding the tests
set -euo pipefail

self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
here="${PACKAGE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
timeout_s="${LIVE_TIMEOUT:-300}"

if [[ "${1:-}" != "--inside" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "journald-live-test: SKIPPED: needs root (private mount namespace and a journald of its own)"
        exit 0
    fi
    for tool in unshare logger; do
        if ! command -v "$tool" >/dev/null; then
            echo "journald-live-test: SKIPPED: $tool not found (apt-get install util-linux bsdutils)"
            exit 0
        fi
    done
    if [[ ! -x /lib/systemd/systemd-journald && ! -x /usr/lib/systemd/systemd-journald ]]; then
        echo "journald-live-test: SKIPPED: systemd-journald not found (apt-get install systemd)"
        exit 0
    fi
    cd "$here"
    if [[ -z "${SKIP_BUILD:-}" ]]; then
        swift build --build-tests
    fi
    exec timeout --kill-after=10 "$timeout_s" unshare --mount --propagation private --fork "$self" --inside
fi

# --- inside the private mount namespace --------------------------------------------------------
cd "$here"
journald=/lib/systemd/systemd-journald
[[ -x "$journald" ]] || journald=/usr/lib/systemd/systemd-journald

mount -t tmpfs -o mode=0755 tmpfs /run
# Keep a persistent host journal out of reach, and make this journald volatile and unthrottled.
if [[ -d /var/log/journal ]]; then mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; fi
conf="$(mktemp)"
printf '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nRuntimeMaxUse=64M\n' >"$conf"
if [[ -f /etc/systemd/journald.conf ]]; then mount --bind "$conf" /etc/systemd/journald.conf; fi

"$journald" &
journald_pid=$!
cleanup() {
    kill "$journald_pid" 2>/dev/null || true
    wait "$journald_pid" 2>/dev/null || true
    rm -f "$conf"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    [[ -S /run/systemd/journal/socket ]] && break
    sleep 0.1
done
if [[ ! -S /run/systemd/journal/socket ]]; then
    echo "journald-live-test: FAILED: journald did not create /run/systemd/journal/socket" >&2
    exit 1
fi

pre=5
for i in $(seq 1 "$pre"); do
    printf 'MESSAGE=LIVE-PRE %s 1A2B3C4D5E%s: to=<user%s@example.org>, relay=none, dsn=5.1.1, status=bounced\nSYSLOG_IDENTIFIER=postfix/smtp\nSYSLOG_FACILITY=2\nPRIORITY=6\n' \
        "$i" "$i" "$i" | logger --journald
    printf 'MESSAGE=LIVE-NOISE %s Accepted publickey for root\nSYSLOG_IDENTIFIER=sshd\nSYSLOG_FACILITY=4\n' "$i" | logger --journald
done
# Through the syslog socket as well, as a daemon using syslog(3) would.
logger -u /run/systemd/journal/dev-log -t postfix/qmgr -p mail.info 'LIVE-SYSLOG 1A2B3C4D5E: removed' || true

export BOUNCETAIL_LIVE_JOURNAL_DIR=/run/log/journal BOUNCETAIL_LIVE_PRE_COUNT="$pre"
out="$(mktemp)"
status=0
swift test --skip-build --filter JournalLive 2>&1 | tee "$out" || status=$?
# A suite that skipped (environment not seen) must not pass for a run.
if ! grep -q 'Suite "Journal live (journald)" passed' "$out"; then
    echo "journald-live-test: FAILED: the live journald tests did not pass (or did not run)" >&2
    status=1
fi
rm -f "$out"
exit "$status"
