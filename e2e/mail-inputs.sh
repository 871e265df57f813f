#!/usr/bin/env bash
# Root suite step `mail-inputs`: `bouncetail run` reading bounce mails from Debian's Dovecot over IMAP
# (imaps, TLS with a test CA) and POP3 (pop3s), and from a local Maildir, inside a private mount and
# network namespace (only loopback; the host's Dovecot configuration and ports are untouched).
#
#   1. IMAP, POP3 and Maildir each store exactly the events `classify-mail` finds in the same mail
#      files (fixtures written by e2e/mail_fixtures.py), and leave the mailbox empty.
#   2. `kill -9` of `run` in the middle of an IMAP poll and of a POP3 poll, then a restart: every
#      event stored exactly once (nothing lost, nothing repeated), the mailbox emptied, and no poll
#      process (`poll-mailbox`, run's child) left behind. SIGTERM mid-poll: run stops within 10 s, and
#      the restart stores the rest exactly once.
#   Also: IMAP after = "move" (UID MOVE into Processed), a server certificate the client cannot verify
#   (refused, nothing taken), and the RSS of `run` idle after polls (libcurl is never mapped in it).
#
# usage: BIN=.build/debug/bouncetail e2e/mail-inputs.sh     (prints SKIPPED and exits 0 when it cannot run)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$here/../.build/debug/bouncetail}
export BIN

if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" = 0 ] || { echo "mail-inputs: SKIPPED: needs root (namespaces, Dovecot)"; exit 0; }
    command -v unshare >/dev/null || { echo "mail-inputs: SKIPPED: unshare missing"; exit 0; }
    need=()
    [ -x /usr/sbin/dovecot ] || need+=(dovecot-core)
    [ -x /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
    [ -x /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
    command -v openssl >/dev/null || need+=(openssl)
    command -v ip >/dev/null || need+=(iproute2)
    if [ ${#need[@]} -gt 0 ]; then
        echo "mail-inputs: installing ${need[*]}"
        apt-get update -qq
        # The packages' own service must not start on the host: only our private instance runs.
        DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    [ -x "$BIN" ] || { echo "mail-inputs: FAIL: no binary at $BIN (swift build first)"; exit 1; }
    getent passwd bt-e2e-mail >/dev/null ||
        useradd --system --user-group --no-create-home --shell /usr/sbin/nologin bt-e2e-mail
    exec unshare --net --mount --fork bash "$0" --inside
fi

# ---- inside the namespace
mount --make-rprivate /
ip link set lo up
work=$(mktemp -d /tmp/bt-mail-inputs.XXXXXX)
chmod 755 "$work"
run_pid=""
cleanup() {
    [ -n "$run_pid" ] && kill -9 "$run_pid" 2>/dev/null || true
    [ -f "$work/run/master.pid" ] && kill "$(cat "$work/run/master.pid")" 2>/dev/null || true
    sleep 0.3
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "mail-inputs: FAIL: $*"; [ -f "$work/dovecot.log" ] && tail -20 "$work/dovecot.log"; exit 1; }

# ---- a test CA and the server's certificate (SAN 127.0.0.1), so the client verifies for real
mkdir -p "$work/tls"
(
    cd "$work/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bouncetail e2e test CA" \
        -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:mail.lab.test\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
        -out server.pem 2>/dev/null
)

# ---- Dovecot: its own configuration, users and Maildirs under $work
password='e2e-mail-secret'
printf '%s\n' "$password" > "$work/password"
chmod 600 "$work/password"
: > "$work/users"
for u in bounces-imap bounces-move bounces-tls bounces-pop bounces-kill-imap bounces-kill-pop bounces-term-imap; do
    echo "$u:{PLAIN}$password" >> "$work/users"
    mkdir -p "$work/mail/$u/Maildir"/{new,cur,tmp}
done
chown -R bt-e2e-mail:bt-e2e-mail "$work/mail"
mkdir -p "$work/run" "$work/state"
cat > "$work/dovecot.conf" <<CONF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $work/run/
state_dir = $work/state
log_path = $work/dovecot.log
ssl = required
ssl_cert = <$work/tls/server.pem
ssl_key = <$work/tls/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 100
default_login_user = dovenull
default_internal_user = dovecot
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $work/users
}
userdb {
  driver = static
  args = uid=bt-e2e-mail gid=bt-e2e-mail home=$work/mail/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
CONF
/usr/sbin/dovecot -c "$work/dovecot.conf" || fail "dovecot did not start"
for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/995) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/993) 2>/dev/null && break
    sleep 0.1
done
echo "mail-inputs: $(/usr/sbin/dovecot --version | head -1) listening on 127.0.0.1:993 (imaps) and :995 (pop3s)"

# ---- the fixture mails and what classify-mail says of them
python3 "$here/mail_fixtures.py" "$work/fixtures" --generated 20
python3 "$here/mail_fixtures.py" "$work/many" --generated 300
"$BIN" classify-mail "$work/fixtures" > "$work/fixtures.classify.jsonl"
"$BIN" classify-mail "$work/many" > "$work/many.classify.jsonl"

deliver() { # FIXTURE_DIR USER: into the user's Maildir as a delivery agent would (tmp/, then new/)
    local n=0 f
    for f in "$1"/*.eml; do
        n=$((n + 1))
        local name="1764756000.M${n}P$$.mail.lab.test"
        cp "$f" "$work/mail/$2/Maildir/tmp/$name"
        mv "$work/mail/$2/Maildir/tmp/$name" "$work/mail/$2/Maildir/new/$name"
    done
    chown -R bt-e2e-mail:bt-e2e-mail "$work/mail/$2"
}

left() { find "$work/mail/$1/Maildir/new" "$work/mail/$1/Maildir/cur" -type f | wc -l; }

stored() { # STATE_DB: events in the local store and held
    python3 -c 'import sqlite3,sys; d=sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True); print(d.execute("select count(*) from bounces").fetchone()[0] + d.execute("select count(*) from outbox where state = \x27held\x27").fetchone()[0])' "$1" 2>/dev/null || echo 0
}

config() { # NAME INPUT_TOML: a configuration with its own state database and the local store
    mkdir -p "$work/$1"
    cat > "$work/$1/bouncetail.toml" <<TOML
[general]
host_name = "mail.lab.test"
state_db = "$work/$1/state.db"
[sink]
kind = "sqlite"
[metrics]
listen = "127.0.0.1:0"
[mail]
review_dir = "$work/$1/review"
# No log sources here, so nothing can prove a report names mail we sent: forward what the mail says,
# which is what classify-mail's records are compared with (the held-when-unmatched policy has its own
# root step, mail-join).
unmatched = "forward"
$2
TOML
    "$BIN" check-config --config "$work/$1/bouncetail.toml" > "$work/$1/check.out" 2>&1 ||
        { cat "$work/$1/check.out"; fail "$1: check-config"; }
}

mailbox() { # URL USER
    cat <<TOML
[[mail.mailbox]]
url = "$1"
username = "$2"
password_file = "$work/password"
ca_file = "$work/tls/ca.pem"
poll_interval = "1s"
TOML
}

start_run() { # NAME
    "$BIN" run --config "$work/$1/bouncetail.toml" >> "$work/$1/run.log" 2>&1 &
    run_pid=$!
}

wait_empty() { # USER NAME
    for _ in $(seq 1 600); do
        [ "$(left "$1")" = 0 ] && return 0
        kill -0 "$run_pid" 2>/dev/null || { tail -20 "$work/$2/run.log"; fail "$2: run exited"; }
        sleep 0.2
    done
    tail -20 "$work/$2/run.log"
    fail "$2: $(left "$1") mail(s) still in the mailbox after 120 s"
}

stop_run() {
    kill -TERM "$run_pid"
    wait "$run_pid" || true
    run_pid=""
}

check() { # NAME CLASSIFY
    "$BIN" export --format jsonl --config "$work/$1/bouncetail.toml" > "$work/$1/export.jsonl"
    python3 "$here/mail_inputs_check.py" "$2" "$work/$1/export.jsonl" "$work/$1/state.db" "mail-inputs: $1" || fail "$1: events differ"
}

# ---- 1. IMAP, POP3 and a local Maildir give classify-mail's events, and are emptied
deliver "$work/fixtures" bounces-imap
config imap "$(mailbox "imaps://127.0.0.1/INBOX" bounces-imap)"
start_run imap
wait_empty bounces-imap imap
# Idle after polls: what the libcurl loaded at the first poll costs in resident memory (issue 14's RSS cap).
sleep 3
python3 "$here/../scripts/curl-rss.py" "$run_pid" "$BIN" | sed 's/^curl-rss/mail-inputs: imap: rss/'
stop_run
# One poll of the (now empty) mailbox as run starts it: the child's wall time and peak RSS.
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "mail-inputs: imap: one poll-mailbox process: %e s wall, %U s user, peak RSS %M kB" \
        "$BIN" poll-mailbox --config "$work/imap/bouncetail.toml" --input "imaps://127.0.0.1/INBOX" 2>&1 >/dev/null |
        grep 'poll-mailbox process'
fi
check imap "$work/fixtures.classify.jsonl"
grep -q 'mail input' "$work/imap/run.log" || fail "imap: run logged no mail input"

# after = "move": each mail ends in the Processed folder (Maildir++ .Processed), none left in INBOX.
mkdir -p "$work/mail/bounces-move/Maildir/.Processed"/{new,cur,tmp}
deliver "$work/fixtures" bounces-move
config imap-move "$(mailbox "imaps://127.0.0.1/INBOX" bounces-move; printf 'after = "move"\nmove_to = "Processed"\n')"
start_run imap-move
wait_empty bounces-move imap-move
stop_run
check imap-move "$work/fixtures.classify.jsonl"
moved=$(find "$work/mail/bounces-move/Maildir/.Processed/new" "$work/mail/bounces-move/Maildir/.Processed/cur" -type f | wc -l)
[ "$moved" = "$(ls "$work/fixtures" | wc -l)" ] || fail "imap-move: $moved mail(s) in Processed, expected every fixture"
echo "mail-inputs: imap-move: $moved mail(s) moved to Processed"

# A server certificate the client cannot verify (no ca_file: the system's CAs do not know the test CA):
# the poll fails as a TLS error, says what to do, and takes nothing.
deliver "$work/fixtures" bounces-tls
config tls "$(printf '[[mail.mailbox]]\nurl = "imaps://127.0.0.1/INBOX"\nusername = "bounces-tls"\npassword_file = "%s"\npoll_interval = "1s"\n' "$work/password")"
start_run tls
sleep 4
stop_run
grep -q 'ca_file' "$work/tls/run.log" || { tail -5 "$work/tls/run.log"; fail "tls: no TLS error naming ca_file in the log"; }
[ "$(left bounces-tls)" = "$(ls "$work/fixtures" | wc -l)" ] || fail "tls: mails were taken from a server that was not verified"
[ "$(stored "$work/tls/state.db")" = 0 ] || fail "tls: events stored from an unverified server"
echo "mail-inputs: tls: an unverified server is refused: $(grep -o 'error=[^;]*' "$work/tls/run.log" | head -1)"

deliver "$work/fixtures" bounces-pop
config pop3 "$(mailbox "pop3s://127.0.0.1" bounces-pop)"
start_run pop3
wait_empty bounces-pop pop3
stop_run
check pop3 "$work/fixtures.classify.jsonl"

mkdir -p "$work/local/Maildir"/{new,cur,tmp}
cp "$work/fixtures"/*.eml "$work/local/Maildir/new/"
config maildir "$(printf '[[mail.maildir]]\npath = "%s"\npoll_interval = "200ms"\n' "$work/local/Maildir")"
start_run maildir
for _ in $(seq 1 300); do
    [ -z "$(ls "$work/local/Maildir/new")" ] && break
    sleep 0.2
done
stop_run
[ -z "$(ls "$work/local/Maildir/new")" ] || fail "maildir: mails left in new/"
[ "$(ls "$work/local/Maildir/cur" | grep -c ':2,S$')" = "$(ls "$work/fixtures" | wc -l)" ] ||
    fail "maildir: not every mail moved to cur/ with the Seen flag"
check maildir "$work/fixtures.classify.jsonl"

# ---- 2. kill -9 mid-poll, restart: nothing lost, nothing repeated
expected_many=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("type") in ("hard","soft","complaint")))' "$work/many.classify.jsonl")
for proto in imap pop; do
    user=bounces-kill-$proto
    name=kill-$proto
    url="imaps://127.0.0.1/INBOX"
    [ $proto = pop ] && url="pop3s://127.0.0.1"
    deliver "$work/many" "$user"
    config "$name" "$(mailbox "$url" "$user")"
    start_run "$name"
    # Kill once some events are committed and most of the mailbox is still to be read.
    for _ in $(seq 1 3000); do
        n=$(stored "$work/$name/state.db")
        [ "$n" -ge 20 ] && break
        sleep 0.02
    done
    kill -9 "$run_pid"
    wait "$run_pid" 2>/dev/null || true
    run_pid=""
    # The poll runs in a child process of run (poll-mailbox): it must die with run, as a thread would.
    sleep 0.3
    ! pgrep -f "poll-mailbox.*$work/$name/" >/dev/null || fail "$name: the poll process outlived run's kill -9"
    at_kill=$(stored "$work/$name/state.db")
    remaining=$(left "$user")
    echo "mail-inputs: $name: kill -9 with $at_kill of $expected_many event(s) stored, $remaining mail(s) in the mailbox"
    [ "$at_kill" -lt "$expected_many" ] || fail "$name: the poll had finished before the kill; nothing was tested"
    [ "$remaining" -gt 0 ] || fail "$name: the mailbox was already empty at the kill"
    start_run "$name"
    wait_empty "$user" "$name"
    stop_run
    check "$name" "$work/many.classify.jsonl"
done

# SIGTERM (systemctl stop sends it to run alone with KillMode=mixed, or to the whole group) mid-poll: run
# passes it on, the poll ends after the mail in hand, run exits soon; the restart finishes the mailbox.
user=bounces-term-imap
deliver "$work/many" "$user"
config term-imap "$(mailbox "imaps://127.0.0.1/INBOX" "$user")"
start_run term-imap
for _ in $(seq 1 3000); do
    [ "$(stored "$work/term-imap/state.db")" -ge 20 ] && break
    sleep 0.02
done
started=$SECONDS
kill -TERM "$run_pid"
wait "$run_pid" || true
run_pid=""
took=$((SECONDS - started))
at_term=$(stored "$work/term-imap/state.db")
echo "mail-inputs: term-imap: SIGTERM mid-poll: run exited in ${took} s with $at_term of $expected_many event(s) stored, $(left "$user") mail(s) left"
[ "$took" -le 10 ] || fail "term-imap: run took ${took} s to stop mid-poll"
[ "$at_term" -lt "$expected_many" ] || fail "term-imap: the poll had finished before SIGTERM; nothing was tested"
start_run term-imap
wait_empty "$user" term-imap
stop_run
check term-imap "$work/many.classify.jsonl"

echo "mail-inputs: IMAP, POP3 and Maildir stored exactly classify-mail's events; kill -9 mid-poll lost and repeated nothing"
