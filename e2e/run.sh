#!/usr/bin/env bash
# The root-only test suite (CI runs it after scripts/test.sh, see .ci/run):
#
#   mta-e2e            real Postfix and Exim in a private network namespace -> backfill -> events (e2e/mta-e2e.sh)
#   journal-backfill   `backfill --journal` of a journal made from the samples == the file backfill (e2e/journal-backfill.sh)
#   fleet              a central file of 3 hosts and a journal-remote directory of 2 machines, colliding queue
#                      ids: each machine's bounces once with its meta.host, via backfill and run (e2e/fleet.sh)
#   journald-tests     the Swift JournalLive tests against a real journald (scripts/journald-live-test.sh)
#   journald-live      `bouncetail run` following a real journald, across a restart; follow latency (e2e/journald-live.sh)
#   journal-trust      real Postfix and Exim logging into a real journald: forged entries by an unprivileged
#                      user are refused and counted, the real bounces arrive; prints who logs with which
#                      _UID/_COMM/unit (e2e/journal-trust.sh)
#   rsyslog-trust      the real rsyslogd with packaging/examples/rsyslog-60-bouncetail-mail.conf: a line forged by
#                      an unprivileged user reaches mail.log but not the drop-in's file (e2e/rsyslog-trust.sh)
#   deb                build the .deb, install it, run it as the unit would, /healthz, /metrics, purge (packaging/test-deb.sh)
#   deb-stock-debian   the .deb on a stock Debian 12 without rsyslog: only listmonk's URL and token set, a bounce
#                      sent through the real Postfix (logging to journald) arrives at listmonk (e2e/deb-stock-debian.sh)
#   unit-security      systemd-analyze security --offline=true on the unit: exposure must be 2.0 or lower
#   report-html        `report --html` of a generated month in headless Chromium: no request, charts == JSON (e2e/report-html.sh)
#   dashboards         promtool check rules + promtool test rules on packaging/prometheus/ (Debian's prometheus)
#   mail-join          report mails through the real Postfix's pipe(8) and Exim's pipe transport into ingest-mail
#                      beside run: each MTA's own DSN + its log line = one event, an async DSN, an ARF complaint,
#                      an auto-reply, a forged DSN held (e2e/mail-join.sh)
#   mail-inputs        `run` reading bounce mails from Debian's Dovecot over imaps and pop3s (a test CA) and from a
#                      Maildir: the same events as classify-mail; kill -9 mid-poll loses and repeats nothing
#                      (e2e/mail-inputs.sh)
#
# Each step prints one "root-suite: PASS|FAIL|SKIP <step>" line; the exit status is 1 when any step
# failed. Not root: prints why and exits 0. Installs the Debian packages the steps need when missing
# (apt-get update once). Environment:
#   BOUNCETAIL_SUITE_STEPS="journald-live deb"   run only these steps
#   BOUNCETAIL_DEB_RELEASE=1                      package a release build (--static-swift-stdlib, ~10+ min
#                                                 on 2 cores) instead of the debug binary the suite builds anyway
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH=/opt/swift/usr/bin:$PATH

if [ "$(id -u)" != 0 ]; then
    echo "root-suite: SKIPPED: needs root (namespaces, a private journald, installing a .deb)"
    exit 0
fi

# Tools the steps need, by Debian package (a fresh Debian 12 machine lacks some).
need=()
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
command -v unshare >/dev/null && command -v setpriv >/dev/null || need+=(util-linux)
command -v logger >/dev/null || need+=(bsdutils)
command -v systemd-analyze >/dev/null && [ -x /lib/systemd/systemd-journald ] || need+=(systemd)
[ -x /lib/systemd/systemd-journal-remote ] || need+=(systemd-journal-remote)
command -v dpkg-deb >/dev/null || need+=(dpkg)
command -v strip >/dev/null || need+=(binutils)
command -v adduser >/dev/null || need+=(adduser)
command -v chromium >/dev/null || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
    echo "root-suite: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

steps="${BOUNCETAIL_SUITE_STEPS:-mta-e2e journal-backfill fleet journald-tests journald-live journal-trust rsyslog-trust deb deb-stock-debian unit-security report-html dashboards mail-join mail-inputs}"
logs="$(mktemp -d /tmp/bouncetail-root-suite.XXXXXX)"
echo "root-suite: building bouncetail (debug)"
swift build --product bouncetail || { echo "root-suite: FAIL build"; exit 1; }
BIN="$(swift build --show-bin-path)/bouncetail"
export BIN

failed=()
run_step() { # NAME COMMAND...
    local name=$1 rc started
    shift
    echo "==> root-suite: $name"
    started=$SECONDS
    "$@" 2>&1 | tee "$logs/$name.log"
    rc=${PIPESTATUS[0]}
    local took="$((SECONDS - started)) s"
    if [ "$rc" != 0 ]; then
        echo "root-suite: FAIL $name (exit $rc, $took; log $logs/$name.log)"
        failed+=("$name")
    elif grep -q 'SKIPPED' "$logs/$name.log"; then
        echo "root-suite: SKIP $name ($(grep -m1 -o 'SKIPPED.*' "$logs/$name.log"))"
    else
        echo "root-suite: PASS $name ($took)"
    fi
}

deb_step() {
    local out="$logs/deb" deb
    if [ "${BOUNCETAIL_DEB_RELEASE:-}" = 1 ]; then
        deb="$(packaging/build-deb.sh --out "$out" | tail -1)" || return 1
    else
        # The debug binary links the toolchain's Swift runtime, which no Debian package owns.
        deb="$(BOUNCETAIL_ALLOW_UNPACKAGED_LIBS=1 packaging/build-deb.sh --binary "$BIN" --out "$out" | tail -1)" || return 1
    fi
    echo "deb: built $deb ($(du -h "$deb" | cut -f1))"
    packaging/test-deb.sh "$deb"
}

unit_security_step() {
    local exposure
    systemd-analyze security --offline=true --no-pager packaging/bouncetail.service > "$logs/unit-security.out" 2>&1
    grep -v '^✓' "$logs/unit-security.out"
    exposure="$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' "$logs/unit-security.out" | awk '{print $NF}')"
    [ -n "$exposure" ] || { echo "unit-security: no exposure figure"; return 1; }
    echo "unit-security: exposure $exposure (target 2.0 or lower)"
    awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'
}

dashboards_step() {
    local dir=packaging/prometheus
    command -v promtool >/dev/null || { echo "dashboards: SKIPPED: promtool not found (apt-get install prometheus)"; return 0; }
    promtool check rules "$dir/bouncetail-alerts.yml" || return 1
    (cd "$dir" && promtool test rules bouncetail-alerts.test.yml) || return 1
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' packaging/grafana/bouncetail-dashboard.json || return 1
    echo "dashboards: rules checked and unit-tested; the dashboard is valid JSON (metric names: swift test DashboardMetricsTests)"
}

for step in $steps; do
    case "$step" in
        mta-e2e) run_step mta-e2e e2e/mta-e2e.sh ;;
        journal-backfill) run_step journal-backfill e2e/journal-backfill.sh ;;
        fleet) run_step fleet e2e/fleet.sh ;;
        journald-tests) run_step journald-tests scripts/journald-live-test.sh ;;
        journald-live) run_step journald-live e2e/journald-live.sh ;;
        journal-trust) run_step journal-trust e2e/journal-trust.sh ;;
        rsyslog-trust) run_step rsyslog-trust e2e/rsyslog-trust.sh ;;
        deb) run_step deb deb_step ;;
        deb-stock-debian) run_step deb-stock-debian e2e/deb-stock-debian.sh ;;
        unit-security) run_step unit-security unit_security_step ;;
        report-html) run_step report-html e2e/report-html.sh ;;
        dashboards) run_step dashboards dashboards_step ;;
        mail-join) run_step mail-join e2e/mail-join.sh ;;
        mail-inputs) run_step mail-inputs e2e/mail-inputs.sh ;;
        *) echo "root-suite: FAIL unknown step $step"; failed+=("$step") ;;
    esac
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "root-suite: FAILED: ${failed[*]} (logs in $logs)"
    exit 1
fi
echo "root-suite: all steps passed or were skipped with a reason (logs in $logs)"
