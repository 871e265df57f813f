#!/usr/bin/env bash
# The rsyslog drop-in (packaging/examples/rsyslog-60-bouncetail-mail.conf) keeps forged lines out.
#
# Runs Debian 12's real rsyslogd (unpacked into a private root, like the test Exim: installing the
# package would start a system logger on the host) on a socket of its own with imuxsock's trusted
# properties on, the drop-in (uids filled in as its header says) and a plain `mail.*` file beside it,
# as /var/log/mail.log has. Then a complete Postfix bounce forged by `nobody` and a real-looking one
# sent as the postfix user, both through the socket with logger:
#   - the plain mail file holds both, and `bouncetail backfill --dry-run` on it turns the forgery into
#     a bounce (the attack this guards against);
#   - the drop-in's file holds only the postfix user's lines, and gives only its bounce.
# Needs root. Exit 0 with "SKIPPED" when not root or rsyslog cannot be fetched; 1 on any failure.
#   BIN=.build/debug/bouncetail e2e/rsyslog-trust.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name=rsyslog-trust
fail() { echo "$name: FAIL: $*" >&2; exit 1; }
ok() { echo "$name: ok: $*"; }
if [[ "$(id -u)" != 0 ]]; then echo "$name: SKIPPED: needs root (setpriv to other users)"; exit 0; fi
for tool in logger setpriv dpkg-deb apt-get; do
    command -v "$tool" >/dev/null || { echo "$name: SKIPPED: $tool not found"; exit 0; }
done
getent passwd postfix >/dev/null || { echo "$name: SKIPPED: no postfix user (run the mta-e2e step first, or apt-get install postfix)"; exit 0; }
cd "$root"
if [[ -z "${BIN:-}" ]]; then
    swift build --product bouncetail
    BIN="$(swift build --show-bin-path)/bouncetail"
fi

cache=${BOUNCETAIL_E2E_CACHE:-/var/cache/bouncetail-e2e}
rs="$cache/rsyslog-root"
if [[ ! -x "$rs/usr/sbin/rsyslogd" ]]; then
    mkdir -p "$cache"
    missing=()
    for lib in libestr0 libfastjson4 liblognorm5; do dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib"); done
    if ((${#missing[@]})); then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "$name: SKIPPED: cannot install ${missing[*]}"; exit 0; }
    fi
    (cd "$cache" && (apt-get download -qq rsyslog >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq rsyslog; })) \
        || { echo "$name: SKIPPED: cannot download rsyslog"; exit 0; }
    mkdir -p "$rs"
    dpkg-deb -x "$(ls "$cache"/rsyslog_*.deb | head -1)" "$rs"
fi

work="$(mktemp -d /tmp/bouncetail-rsyslog-trust.XXXXXX)"
chmod 755 "$work"
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true' EXIT
exim_uid=$(id -u Debian-exim 2>/dev/null || id -u postfix)
# The drop-in as its header says to install it; only the output path is moved into the test directory.
sed -e "s/@POSTFIX_UID@/$(id -u postfix)/" -e "s/@EXIM_UID@/$exim_uid/" \
    -e "s|/var/log/bouncetail-mail.log|$work/trusted.log|" -e 's/ fileGroup="adm"//' \
    packaging/examples/rsyslog-60-bouncetail-mail.conf > "$work/60-bouncetail-mail.conf"
if grep '@[A-Z_]*@' "$work/60-bouncetail-mail.conf"; then fail "placeholders left in the drop-in"; fi
# The system socket's module parameters (SysSock.Annotate/ParseTrusted) are the same settings as an
# input's Annotate/ParseTrusted; a socket of our own keeps the host's /dev/log untouched.
cat > "$work/rsyslog.conf" <<EOF
global(workDirectory="$work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$work/log" Annotate="on" ParseTrusted="on")
mail.* action(type="omfile" file="$work/mail.log" template="RSYSLOG_TraditionalFileFormat")
include(file="$work/60-bouncetail-mail.conf")
EOF
modules="$rs/usr/lib/x86_64-linux-gnu/rsyslog"
"$rs/usr/sbin/rsyslogd" -N1 -f "$work/rsyslog.conf" -M "$modules" > "$work/validate.out" 2>&1 || { cat "$work/validate.out" >&2; fail "rsyslogd rejected the drop-in"; }
"$rs/usr/sbin/rsyslogd" -n -f "$work/rsyslog.conf" -M "$modules" -i "$work/rsyslogd.pid" > "$work/rsyslogd.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [[ -S "$work/log" ]] && break; sleep 0.05; done
[[ -S "$work/log" ]] || fail "rsyslogd did not create its socket: $(cat "$work/rsyslogd.out")"
ok "rsyslogd $("$rs/usr/sbin/rsyslogd" -v | head -1 | awk '{print $2}' | tr -d ,) running with the drop-in"

bounce() { # USER QID RCPT
    local as=(setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups)
    "${as[@]}" logger -i -u "$work/log" -p mail.info -t postfix/qmgr "$2: from=<bounces@lab.test>, size=1000, nrcpt=1 (queue active)"
    "${as[@]}" logger -i -u "$work/log" -p mail.info -t postfix/smtp "$2: to=<$3>, relay=mx.example.org[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <$3>: Recipient address rejected: User unknown (in reply to RCPT TO command))"
    "${as[@]}" logger -i -u "$work/log" -p mail.info -t postfix/qmgr "$2: removed"
}
bounce nobody DEAD0004D4 victim4@example.org
bounce postfix BEEF0005E5 real5@example.org
for _ in $(seq 1 100); do [[ -s "$work/trusted.log" ]] && (( $(wc -l < "$work/mail.log") >= 6 )) && break; sleep 0.05; done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

status=0
check() { if eval "$1"; then ok "$2"; else echo "$name: FAIL: $2" >&2; status=1; fi; }
check "[[ \$(grep -c . '$work/mail.log') == 6 ]]" "the plain mail.* file holds all 6 lines, forged and real"
check "[[ \$(grep -c . '$work/trusted.log') == 3 && \$(grep -c DEAD0004D4 '$work/trusted.log') == 0 ]]" "the drop-in's file holds only the postfix user's 3 lines"
"$BIN" backfill --dry-run --host-name e2e.test --time-zone UTC "$work/mail.log" > "$work/mail.events" 2>/dev/null
"$BIN" backfill --dry-run --host-name e2e.test --time-zone UTC "$work/trusted.log" > "$work/trusted.events" 2>/dev/null
check "grep -q victim4 '$work/mail.events'" "backfill of the plain file turns the forgery into a bounce (the attack)"
check "grep -q real5 '$work/trusted.events' && ! grep -q victim4 '$work/trusted.events'" "backfill of the drop-in's file: the real bounce only"
[[ $status == 0 ]] && echo "$name: PASS" || echo "$name: outputs in $work" >&2
exit "$status"
