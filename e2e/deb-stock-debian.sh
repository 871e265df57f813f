#!/usr/bin/env bash
# The .deb on a stock Debian 12 without rsyslog (issue 16): install the package, change nothing in its
# configuration but listmonk's URL (and write the token file it names), start it as the unit would,
# send a mail through the real Postfix to a recipient the remote server rejects, and see the bounce
# arrive at listmonk (a double speaking listmonk's bounce API) with its subscriber UUID.
#
# "Stock Debian 12 without rsyslog" inside a private mount and network namespace: an empty /var/log
# (no mail.log), journald started by hand with its /dev/log socket (as systemd-journald-dev-log.socket
# provides), Postfix logging through syslog(3) to it, Debian's tmpfiles rules for the journal's
# group, and only loopback. The package itself is installed on the host's file system (like
# packaging/test-deb.sh) and purged at the end.
#
# Needs root; exit 0 with "SKIPPED" when not root or a tool is missing, 1 on any failure.
#   BIN=.build/debug/bouncetail e2e/deb-stock-debian.sh     # packages that binary (build-deb.sh --binary)
#   DEB=out/bouncetail_0.1.0_amd64.deb e2e/deb-stock-debian.sh
set -euo pipefail

self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
root="$(cd "$(dirname "$0")/.." && pwd)"
name=deb-stock-debian

if [[ "${1:-}" != "--inside" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "$name: SKIPPED: needs root (installs a package, a private namespace with journald and Postfix)"
        exit 0
    fi
    for tool in unshare setpriv python3 curl ip timeout; do
        command -v "$tool" >/dev/null || { echo "$name: SKIPPED: $tool not found"; exit 0; }
    done
    journald=/lib/systemd/systemd-journald
    [[ -x "$journald" ]] || journald=/usr/lib/systemd/systemd-journald
    [[ -x "$journald" ]] || { echo "$name: SKIPPED: systemd-journald not found (apt-get install systemd)"; exit 0; }
    if [[ ! -x /usr/sbin/postfix ]]; then
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
    fi
    if dpkg -s rsyslog >/dev/null 2>&1; then
        echo "$name: note: rsyslog is installed on the host; it does not run inside the namespace"
    fi
    cd "$root"
    out="$(mktemp -d /tmp/bt-deb-stock.XXXXXX)"
    deb="${DEB:-}"
    if [[ -z "$deb" ]]; then
        if [[ -z "${BIN:-}" ]]; then
            swift build --product bouncetail
            BIN="$(swift build --show-bin-path)/bouncetail"
        fi
        deb="$(packaging/build-deb.sh --binary "$BIN" --out "$out" | tail -1)"
    fi
    deb="$(readlink -f "$deb")"
    exec timeout --kill-after=10 "${STOCK_TIMEOUT:-300}" \
        unshare --net --mount --propagation private --fork "$self" --inside "$deb" "$out" "$journald"
fi

# --- inside the private namespace -------------------------------------------------------------------
deb=$2
out=$3
journald=$4
cd "$root"
fail() { echo "$name: FAIL: $*" >&2; echo "$name: outputs in $out" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }

ip link set lo up
work="$out/ns"
mkdir -p "$work"
chmod 755 "$out" "$work"
pids=()
# dpkg with its lock waited for: on a shared machine another apt or dpkg may hold it for a while.
dpkg_locked() { # ARGS...: runs dpkg, retrying for up to 5 minutes while its lock is held
    local i
    for i in $(seq 1 150); do
        if dpkg "$@" > "$work/dpkg.log" 2>&1; then return 0; fi
        grep -q 'lock' "$work/dpkg.log" || return 1
        sleep 2
    done
    return 1
}
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    postfix stop >/dev/null 2>&1 || true
    sleep 0.3
    dpkg_locked --purge bouncetail || true
    # The token file is the admin's, not the package's: purge leaves it, the test does not.
    rm -f /etc/bouncetail/listmonk.token
    rmdir /etc/bouncetail 2>/dev/null || true
}
trap cleanup EXIT

# A stock Debian 12 without rsyslog: nothing in /var/log but what journald and the MTA write, the
# journal in /run (volatile here), /dev/log the journal's syslog socket.
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs /var/log
mkdir -p "$work/hostdev"
mount --bind /dev "$work/hostdev"
mount -t tmpfs -o mode=0755 tmpfs /dev
for n in null zero full random urandom tty; do
    touch "/dev/$n"
    mount --bind "$work/hostdev/$n" "/dev/$n"
done
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /dev/shm /dev/pts
printf '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nRuntimeMaxUse=64M\n' > "$work/journald.conf"
[[ -f /etc/systemd/journald.conf ]] && mount --bind "$work/journald.conf" /etc/systemd/journald.conf
"$journald" > "$work/journald.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -S /run/systemd/journal/dev-log ]] && break; sleep 0.1; done
[[ -S /run/systemd/journal/dev-log ]] || fail "journald did not create /run/systemd/journal/dev-log"
ln -s /run/systemd/journal/dev-log /dev/log
# Debian's tmpfiles rules give the journal to group systemd-journal (what the package's user joins).
systemd-tmpfiles --create --prefix /run/log/journal >/dev/null 2>&1 || true
[[ ! -e /var/log/mail.log ]] || fail "/var/log/mail.log exists: not the stock set-up"
ok "journald with /dev/log, no rsyslog, no /var/log/mail.log"

# --- listmonk (a double with listmonk's bounce API) and the remote server -----------------------------
python3 e2e/listmonk_double.py 9000 "$work/listmonk.jsonl" --user bouncetail --token stock-token \
    > "$work/listmonk.log" 2>&1 &
pids+=($!)
python3 e2e/remote_smtp.py 127.0.0.1 2525 > "$work/remote.log" 2>&1 &
pids+=($!)

# --- Postfix, as Debian's package runs it, relaying to the remote server; the header_checks line is
# the MTA step of docs/install.md (it logs listmonk's headers, changing nothing in delivery).
mkdir -p "$work/pf-etc" "$work/pf-spool"
cp -a /etc/postfix/. "$work/pf-etc/"
mount --bind "$work/pf-etc" /etc/postfix
mount --bind "$work/pf-spool" /var/spool/postfix
cat > /etc/postfix/main.cf <<CF
compatibility_level = 3.6
myhostname = mail.lab.test
mydomain = lab.test
myorigin = lab.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:2525
header_checks = regexp:/etc/postfix/listmonk_header_checks
smtputf8_enable = no
CF
cp /dev/null /etc/postfix/listmonk_header_checks
cat "$root/packaging/examples/postfix-listmonk_header_checks" > /etc/postfix/listmonk_header_checks
postconf -F '*/*/chroot = n' >/dev/null
postfix start >/dev/null 2>&1 || fail "postfix did not start"
ok "postfix started, logging to the journal"

# --- the package, as an admin installs it; only the URL and the token change ------------------------
dpkg_locked --purge bouncetail || true
dpkg_locked -i "$deb" || { cat "$work/dpkg.log" >&2; fail "dpkg -i $deb"; }
cp /etc/bouncetail/bouncetail.toml "$work/packaged.toml"
sed -i 's|^#url = "https://lists.example.org"$|url = "http://127.0.0.1:9000"|' /etc/bouncetail/bouncetail.toml
changed=$(diff "$work/packaged.toml" /etc/bouncetail/bouncetail.toml | grep -c '^[<>]' || true)
[[ "$changed" = 2 ]] || fail "expected one changed line in the configuration, diff has $changed"
install -m 0640 -o root -g bouncetail /dev/null /etc/bouncetail/listmonk.token
echo stock-token > /etc/bouncetail/listmonk.token
ok "installed; configuration changed in one line (url), token written to /etc/bouncetail/listmonk.token"

/usr/bin/bouncetail check-config > "$work/check-config.out" 2>&1 || { cat "$work/check-config.out" >&2; fail "check-config"; }
grep -q '^note: sources.file\[0\].paths: /var/log/exim4/mainlog does not exist (optional source' "$work/check-config.out" \
    || { cat "$work/check-config.out" >&2; fail "check-config does not note the absent optional Exim log"; }
grep -q '^sink: webhook (kind = "auto": \[listmonk\] url is set)' "$work/check-config.out" \
    || { cat "$work/check-config.out" >&2; fail "check-config does not say the sink follows the url"; }
ok "check-config: ok; notes the absent Exim log; sink webhook because the url is set"

# The unit's ExecStart as systemd would run it (no systemd as PID 1 here): user bouncetail with its
# groups, NoNewPrivileges, UMask 0077, a clean environment.
(
    cd /
    umask 0077
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 STATE_DIRECTORY=/var/lib/bouncetail \
        setpriv --reuid=bouncetail --regid=bouncetail --init-groups --no-new-privs \
        /usr/bin/bouncetail run --config /etc/bouncetail/bouncetail.toml
) > "$work/run.log" 2>&1 &
bt=$!
pids+=($bt)
health=""
for _ in $(seq 1 150); do
    health=$(curl -fsS http://127.0.0.1:9155/healthz 2>/dev/null) && break
    kill -0 "$bt" 2>/dev/null || { cat "$work/run.log" >&2; fail "bouncetail run exited"; }
    sleep 0.2
done
[[ "$(echo "$health" | head -1)" = ok ]] || { cat "$work/run.log" >&2; fail "/healthz: $health"; }
echo "$health" | grep -q '^note: source:exim: /var/log/exim4/mainlog does not exist (optional' \
    || fail "/healthz lacks the note on the optional Exim log: $health"
ok "/healthz: ok, with a note on the absent optional Exim log"
grep -q 'reading the journal (the local journal) and file exim (/var/log/exim4/mainlog, optional)' "$work/run.log" \
    || { cat "$work/run.log" >&2; fail "run did not say what it reads"; }
grep -q 'bounces go to listmonk at http://127.0.0.1:9000 (sink "auto": \[listmonk\] url is set)' "$work/run.log" \
    || { cat "$work/run.log" >&2; fail "run did not say where bounces go"; }
ok "run says what it reads and where bounces go"
sleep 1

# --- one campaign mail to a recipient the remote server rejects (550 5.1.1) -------------------------
subscriber=8c1e3a4b-2f6d-4e7a-9b0c-1d2e3f4a5b6c
python3 - "$subscriber" <<'PY'
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "news@lab.test"
m["To"] = "user-unknown@example.net"
m["Subject"] = "stock Debian 12"
m["Message-ID"] = "<stock-1@lab.test>"
m["X-Listmonk-Campaign"] = "5f0c8a52-6a0e-4c41-9d35-3f7f2b1e9a10"
m["X-Listmonk-Subscriber"] = sys.argv[1]
m.set_content("hello")
with smtplib.SMTP("127.0.0.1", 25, timeout=30) as s:
    s.send_message(m)
PY
ok "sent one mail through Postfix to user-unknown@example.net"

for _ in $(seq 1 120); do
    [[ -s "$work/listmonk.jsonl" ]] && break
    sleep 0.5
done
[[ -s "$work/listmonk.jsonl" ]] || {
    journalctl -D /run/log/journal --no-pager 2>/dev/null | tail -20 >&2 || true
    cat "$work/run.log" >&2
    fail "no bounce reached listmonk within 60 s"
}
python3 - "$work/listmonk.jsonl" "$subscriber" <<'PY' || fail "the bounce listmonk received is not the expected one"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(rows) == 1, rows
b = rows[0]
body = b.get("body", b)
assert body["email"] == "user-unknown@example.net", body
assert body["type"] == "hard", body
assert body.get("subscriber_uuid") == sys.argv[2], body
meta = body["meta"] if isinstance(body["meta"], dict) else json.loads(body["meta"])
assert meta["reason"] == "userunknown", meta
print("bounce:", body["email"], body["type"], meta["reason"], "subscriber", body["subscriber_uuid"])
PY
ok "listmonk received the hard bounce (userunknown) with the subscriber's UUID"
echo "$name: passed"
