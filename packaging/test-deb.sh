#!/bin/bash
# Installs a built bouncetail .deb, starts the installed binary as the unit would (as the bouncetail
# user, with the installed configuration adjusted to a temporary state directory and port), checks
# /healthz and /metrics with curl, stops it with SIGTERM, and purges the package.
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
command -v curl >/dev/null || { echo "test-deb.sh: curl is missing (apt-get install curl)" >&2; exit 1; }

fail() { echo "test-deb.sh: FAIL: $*" >&2; exit 1; }
pass() { echo "test-deb.sh: ok: $*"; }

work="$(mktemp -d)"
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
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

# The unit's ExecStart, with the installed configuration pointed at a temporary state directory.
state="$work/state"
install -d -o bouncetail -g bouncetail -m 0750 "$state"
config="$work/bouncetail.toml"
sed -e "s|^state_db = .*|state_db = \"$state/state.db\"|" \
    -e "s|^listen = .*|listen = \"127.0.0.1:$port\"|" \
    /etc/bouncetail/bouncetail.toml > "$config"
chown root:bouncetail "$config" "$work"; chmod 0640 "$config"; chmod 0750 "$work"
grep -q "$state/state.db" "$config" || fail "could not point state_db at $state"

cmd="${command_template//\{config\}/$config}"
echo "==> starting: runuser -u bouncetail -- /usr/bin/bouncetail $cmd"
# shellcheck disable=SC2086 # the command is a word list on purpose
runuser -u bouncetail -- /usr/bin/bouncetail $cmd > "$work/out.log" 2>&1 &
pid=$!

ok=""
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" > "$work/healthz" 2>/dev/null; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
[ -n "$ok" ] || { cat "$work/out.log" >&2; fail "/healthz did not answer 200 within 20 s"; }
grep -qx ok "$work/healthz" || fail "/healthz said: $(cat "$work/healthz")"
pass "/healthz: ok"

curl -fsS "http://127.0.0.1:$port/metrics" > "$work/metrics" || fail "/metrics did not answer"
grep -q '^bouncetail_healthy 1' "$work/metrics" || { head -20 "$work/metrics" >&2; fail "/metrics lacks bouncetail_healthy 1"; }
pass "/metrics: $(grep -c '^bouncetail_' "$work/metrics") bouncetail series"

[ "$(ps -o user= -p "$pid" | tr -d ' ')" = bouncetail ] || [ "$(ps -o user= --ppid "$pid" | tr -d ' ' | head -1)" = bouncetail ] || fail "not running as bouncetail"
[ -f "$state/state.db" ] && [ "$(stat -c %U "$state/state.db")" != bouncetail ] && fail "state.db not owned by bouncetail"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || { cat "$work/out.log" >&2; fail "SIGTERM: exit status $rc, expected 0"; }
pass "SIGTERM: clean exit"

dpkg --purge bouncetail >/dev/null
[ ! -e /usr/bin/bouncetail ] || fail "/usr/bin/bouncetail left after purge"
[ ! -e /etc/bouncetail/bouncetail.toml ] || fail "configuration left after purge"
[ ! -e /var/lib/bouncetail ] || fail "/var/lib/bouncetail left after purge"
pass "purged"
echo "test-deb.sh: 1 passed, 0 failed"
