#!/bin/bash
# Installs a built bouncetail .deb, starts the installed binary as the unit would (as the bouncetail
# user with its groups, UMask, NoNewPrivileges, the package's state directory, a stand-in
# NOTIFY_SOCKET; only the metrics port is moved), checks /healthz and /metrics with curl, READY=1
# and watchdog pings, stops it with SIGTERM, and purges the package.
#
#   packaging/test-deb.sh out/bouncetail_0.1.0_amd64.deb [--command 'run --config {config}']
#
# There is no systemd as PID 1 on CI machines, so the unit is not started by systemctl; the command
# line is the unit's ExecStart with the test's configuration. Needs root; skips (exit 0) otherwise.
set -euo pipefail

deb="${1:-}"
shift || true
command_template='run --config {config}'
port=19155
while [ $# -gt 0 ]; do
    case "$1" in
        --command) command_template="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        *) echo "test-deb.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" != 0 ]; then
    echo "test-deb.sh: SKIPPED: needs root to install a package and create the bouncetail user"
    exit 0
fi
[ -f "$deb" ] || { echo "usage: test-deb.sh PATH.deb [--command 'run --config {config}']" >&2; exit 2; }
for tool in curl python3 setpriv; do
    command -v "$tool" >/dev/null || { echo "test-deb.sh: $tool is missing (apt-get install curl python3 util-linux)" >&2; exit 1; }
done

fail() { echo "test-deb.sh: FAIL: $*" >&2; exit 1; }
pass() { echo "test-deb.sh: ok: $*"; }

work="$(mktemp -d)"
pid=""
listener=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    [ -n "$listener" ] && kill "$listener" 2>/dev/null || true
    rm -rf "$work"
    if dpkg -s bouncetail >/dev/null 2>&1; then dpkg --purge bouncetail >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# A clean start: a left-over installation would hide a missing step.
dpkg --purge bouncetail >/dev/null 2>&1 || true

echo "==> installing $deb"
if ! dpkg -i "$deb"; then
    # Missing dependencies: let apt resolve them, as an admin would.
    apt-get install -y -f >/dev/null
fi
dpkg -s bouncetail | grep -q '^Status: install ok installed' || fail "package is not installed"
pass "installed"

getent passwd bouncetail >/dev/null || fail "user bouncetail was not created"
for g in adm systemd-journal; do
    if getent group "$g" >/dev/null; then
        id -nG bouncetail | tr ' ' '\n' | grep -qx "$g" || fail "bouncetail is not in group $g"
    fi
done
pass "system user bouncetail exists, in adm and systemd-journal"

for f in /usr/bin/bouncetail /lib/systemd/system/bouncetail.service /etc/bouncetail/bouncetail.toml \
         /usr/share/man/man1/bouncetail.1.gz /usr/share/bash-completion/completions/bouncetail \
         /usr/share/zsh/vendor-completions/_bouncetail /usr/share/fish/vendor_completions.d/bouncetail.fish \
         /usr/share/bouncetail/examples/postfix-listmonk_header_checks /usr/share/bouncetail/examples/exim-listmonk-acl.conf; do
    [ -e "$f" ] || fail "$f is missing"
done
grep -qx /etc/bouncetail/bouncetail.toml /var/lib/dpkg/info/bouncetail.conffiles || fail "the configuration is not a conffile"
[ "$(stat -c '%U:%G %a' /etc/bouncetail/bouncetail.toml)" = "root:bouncetail 640" ] || fail "config ownership/mode: $(stat -c '%U:%G %a' /etc/bouncetail/bouncetail.toml)"
pass "files in place"

if ls /etc/systemd/system/*.wants/bouncetail.service >/dev/null 2>&1; then fail "the unit was enabled without the admin's consent"; fi
pass "unit not enabled"

# The unit's ExecStart, exactly as systemd would run it (no systemd as PID 1 here): the installed
# configuration, with the state database in the package's /var/lib/bouncetail (StateDirectory=) and
# only the metrics port moved; user bouncetail with its groups (User=, SupplementaryGroups=),
# NoNewPrivileges=, UMask=0077, working directory /, a clean environment with NOTIFY_SOCKET
# (Type=notify) and WATCHDOG_USEC/WATCHDOG_PID (WatchdogSec=, shortened to see pings quickly).
[ "$(stat -c '%U:%G %a' /var/lib/bouncetail)" = "bouncetail:bouncetail 750" ] || fail "/var/lib/bouncetail: $(stat -c '%U:%G %a' /var/lib/bouncetail)"
config="$work/bouncetail.toml"
sed -e "s|^listen = .*|listen = \"127.0.0.1:$port\"|" /etc/bouncetail/bouncetail.toml > "$config"
grep -q "^state_db = \"/var/lib/bouncetail/state.db\"" "$config" || fail "the default state_db is not /var/lib/bouncetail/state.db"
chown root:bouncetail "$config" "$work"; chmod 0640 "$config"; chmod 0750 "$work"

# A stand-in for systemd's notification socket: records every datagram with its arrival time.
notify="$work/notify.sock"
python3 - "$notify" "$work/notify.log" <<'PY' &
import os, socket, sys, time
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
s.settimeout(120)
with open(log, "a", buffering=1) as f:
    while True:
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        f.write("%.3f %s\n" % (time.time(), data.decode(errors="replace").replace("\n", " | ")))
PY
listener=$!
for _ in $(seq 1 50); do [ -S "$notify" ] && break; sleep 0.1; done
[ -S "$notify" ] || fail "could not create the stand-in notification socket"

cmd="${command_template//\{config\}/$config}"
watchdog_usec=2000000
echo "==> starting as the unit would: setpriv --reuid=bouncetail --regid=bouncetail --init-groups --no-new-privs /usr/bin/bouncetail $cmd"
(
    cd /
    umask 0077
    # shellcheck disable=SC2086 # the command is a word list on purpose
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        NOTIFY_SOCKET="$notify" WATCHDOG_USEC=$watchdog_usec WATCHDOG_PID=$BASHPID \
        STATE_DIRECTORY=/var/lib/bouncetail CONFIGURATION_DIRECTORY=/etc/bouncetail \
        setpriv --reuid=bouncetail --regid=bouncetail --init-groups --no-new-privs \
        /usr/bin/bouncetail $cmd
) > "$work/out.log" 2>&1 &
pid=$!

ok=""
for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/healthz" > "$work/healthz" 2>/dev/null; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
[ -n "$ok" ] || { cat "$work/out.log" >&2; fail "/healthz did not answer 200 within 30 s"; }
grep -qx ok "$work/healthz" || fail "/healthz said: $(cat "$work/healthz")"
pass "/healthz: ok"

curl -fsS "http://127.0.0.1:$port/metrics" > "$work/metrics" || fail "/metrics did not answer"
grep -q '^bouncetail_healthy 1' "$work/metrics" || { head -20 "$work/metrics" >&2; fail "/metrics lacks bouncetail_healthy 1"; }
pass "/metrics: $(grep -c '^bouncetail_' "$work/metrics") bouncetail series"

[ "$(ps -o user= -p "$pid" | tr -d ' ')" = bouncetail ] || fail "not running as bouncetail (ps: $(ps -o user=,comm= -p "$pid"))"
groups_of_process="$(ps -o supgrp= -p "$pid")"
for g in adm systemd-journal; do
    if getent group "$g" >/dev/null; then
        echo "$groups_of_process" | tr ',' '\n' | grep -qx "$g" || fail "the process is not in group $g ($groups_of_process)"
    fi
done
[ -f /var/lib/bouncetail/state.db ] || fail "no state database in /var/lib/bouncetail"
[ "$(stat -c '%U %a' /var/lib/bouncetail/state.db)" = "bouncetail 600" ] || fail "state.db: $(stat -c '%U %a' /var/lib/bouncetail/state.db), expected bouncetail 600 (UMask=0077)"
pass "running as bouncetail in groups $groups_of_process; state.db owned by bouncetail, mode 600"

# sd_notify: READY=1 at start, then WATCHDOG=1 every half interval.
sleep $((watchdog_usec / 1000000 + 1))
grep -q 'READY=1' "$work/notify.log" || { cat "$work/notify.log" >&2; fail "no READY=1 on NOTIFY_SOCKET (Type=notify would time out)"; }
pings=$(grep -c 'WATCHDOG=1' "$work/notify.log" || true)
[ "$pings" -ge 1 ] || { cat "$work/notify.log" >&2; fail "no WATCHDOG=1 within $((watchdog_usec / 1000000 + 1)) s (WatchdogSec= would kill the service)"; }
pass "sd_notify: READY=1, $pings watchdog ping(s)"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || { cat "$work/out.log" >&2; fail "SIGTERM: exit status $rc, expected 0"; }
pass "SIGTERM: clean exit"
sleep 0.3
grep -q 'STOPPING=1' "$work/notify.log" || fail "no STOPPING=1 on NOTIFY_SOCKET at SIGTERM"
kill "$listener" 2>/dev/null || true

dpkg --purge bouncetail >/dev/null
[ ! -e /usr/bin/bouncetail ] || fail "/usr/bin/bouncetail left after purge"
[ ! -e /etc/bouncetail/bouncetail.toml ] || fail "configuration left after purge"
[ ! -e /var/lib/bouncetail ] || fail "/var/lib/bouncetail left after purge"
pass "purged"
echo "test-deb.sh: 1 passed, 0 failed"
