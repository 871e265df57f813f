#!/usr/bin/env bash
# The scenario of e2e/mail-join.sh, run by mtas-in-namespace.sh as its hook (`started OUT`) while the real
# Postfix runs in the private namespace. Not meant to be run by hand. Writes OUT/mail-join/result.txt (one
# PASS/FAIL line per check) and the outputs beside it; exits non-zero when a check failed.
set -euo pipefail
[ "$1" = started ] || exit 0
here=$(cd "$(dirname "$0")" && pwd)
out=$2/mail-join
mkdir -p "$out"
result=$out/result.txt
: > "$result"
pass() { echo "PASS $*" | tee -a "$result"; }
fail() { echo "FAIL $*" | tee -a "$result"; }

# Everything the unprivileged pipe and daemon touch lives here (OUT is mode 0700, root's).
w=$(mktemp -d /tmp/bt-mail-join.XXXXXX)
chmod 755 "$w"
install -m 0755 "$BIN" "$w/bouncetail"
install -d -o nobody -g nogroup -m 0700 "$w/state"
echo secret-token > "$w/token"
chown nobody "$w/token"
chmod 600 "$w/token"
lport=$((20000 + RANDOM % 10000))
mport=$((30000 + RANDOM % 10000))
cat > "$w/bt.toml" <<TOML
[general]
host_name = "mail.lab.test"
time_zone = "UTC"
state_db = "$w/state/state.db"
[[sources.file]]
name = "postfix"
paths = ["/var/log/bt-e2e/postfix.log"]
start_at = "beginning"
poll_interval = "1s"
[[sources.file]]
name = "exim"
paths = ["/var/log/bt-e2e/exim-mainlog"]
start_at = "beginning"
poll_interval = "1s"
[classifier]
patterns_dir = "/nonexistent"
override_dir = "/nonexistent"
[outbox]
hold_older_than = "36500d"
[listmonk]
url = "http://127.0.0.1:$lport"
username = "bouncetail"
token_file = "$w/token"
[sink]
kind = "webhook"
[metrics]
listen = "127.0.0.1:$mport"
[mail]
review_dir = "$w/state/review"
TOML
chmod 644 "$w/bt.toml"

# The bounce address of this scenario, routed to bouncetail through pipe(8) as docs/mail.md says.
postconf -M bouncetail/unix="bouncetail unix - n n - 4 pipe flags=R user=nobody argv=$w/bouncetail ingest-mail --config $w/bt.toml"
postconf mydestination=bounces.lab.test local_recipient_maps= bouncetail_destination_recipient_limit=1
echo 'bounce@bounces.lab.test bouncetail:' >> /etc/postfix/transport
# Deliveries to loopback are content-filter hops for the tracker (not counted as delivered), so the accepting
# remote of cases 2 and 3 gets an address of its own (TEST-NET-1, on this namespace's lo only).
ip addr add 192.0.2.10/32 dev lo
python3 "$here/remote_smtp.py" 192.0.2.10 2525 > "$out/remote2.log" 2>&1 &
remote2=$!
echo 'example.com smtp:[192.0.2.10]:2525' >> /etc/postfix/transport
postfix reload >/dev/null 2>&1
sleep 1
touch /var/log/bt-e2e/postfix.log /var/log/bt-e2e/exim-mainlog
chmod o+r /var/log/bt-e2e/postfix.log /var/log/bt-e2e/exim-mainlog

# Exim: the router and pipe transport of docs/mail.md for the same bounce address, then a HUP so the daemon
# re-executes with them (delivery processes read the file anew anyway).
exim_conf=/etc/exim4/bt-e2e.conf
sed -i "/^begin routers/a bouncetail_bounces:\\n  driver = accept\\n  domains = bounces.lab.test\\n  local_parts = bounce\\n  transport = bouncetail_pipe" "$exim_conf"
sed -i "/^begin transports/a bouncetail_pipe:\\n  driver = pipe\\n  command = $w/bouncetail ingest-mail --config $w/bt.toml\\n  user = nobody\\n  group = nogroup\\n  temp_errors = 75\\n  return_fail_output = false\\n  log_output = true" "$exim_conf"
exim_pid=$(awk '$1 == "pid_file_path" {print $3}' "$exim_conf")
[ -f "$exim_pid" ] && kill -HUP "$(cat "$exim_pid")"
sleep 1

python3 "$here/listmonk_double.py" "$lport" "$out/listmonk.jsonl" --user bouncetail --token secret-token &
double=$!
setpriv --reuid=nobody --regid=nogroup --clear-groups "$w/bouncetail" run --config "$w/bt.toml" > "$out/run.log" 2>&1 &
daemon=$!
trap 'kill $double $daemon $remote2 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -f "$w/state/state.db" ] && break; sleep 0.1; done

counter() { # NAME: a count.mail.* value from the state database
  python3 - "$w/state/state.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
r = c.execute("SELECT value FROM kv WHERE key = ?", ("count.mail." + sys.argv[2],)).fetchone()
print(r[0] if r else 0)
PY
}
wait_for() { # SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
  local t=$1 what=$2
  shift 2
  for _ in $(seq 1 $((t * 2))); do "$@" && return 0; sleep 0.5; done
  echo "mail-join: timed out waiting for $what"
  return 1
}
events_for() { grep -c "\"email\": \"$1\"" "$out/listmonk.jsonl" 2>/dev/null || true; }

# Messages as listmonk sends them, through the real Postfix, with bounce@bounces.lab.test as return path.
python3 - "$out/sent.tsv" <<'PY'
import smtplib, sys, uuid
from email.message import EmailMessage
campaign = "5f0c8a52-6a0e-4c41-9d35-3f7f2b1e9a10"
rows = []
with smtplib.SMTP("127.0.0.1", 25, local_hostname="listmonk.lab.test", timeout=30) as s:
    for rcpt in ["user-unknown+j1@example.net", "ok+j2@example.com", "ok+j3@example.com"]:
        sub = str(uuid.uuid5(uuid.NAMESPACE_URL, rcpt))
        mid = f"{uuid.uuid4()}@listmonk.lab.test"
        m = EmailMessage()
        m["From"] = "Newsletter <news@lab.test>"
        m["To"] = rcpt
        m["Subject"] = "mail-join " + rcpt
        m["Message-ID"] = f"<{mid}>"
        m["X-Listmonk-Campaign"] = campaign
        m["X-Listmonk-Subscriber"] = sub
        m.set_content("Hello.\n")
        s.send_message(m, from_addr="bounce@bounces.lab.test", to_addrs=[rcpt])
        rows.append((rcpt, sub, mid))
open(sys.argv[1], "w").write("".join("\t".join(r) + "\n" for r in rows))
PY
sub1=$(awk -F'\t' '$1 == "user-unknown+j1@example.net" {print $2}' "$out/sent.tsv")
sub2=$(awk -F'\t' '$1 == "ok+j2@example.com" {print $2}' "$out/sent.tsv")
mid2=$(awk -F'\t' '$1 == "ok+j2@example.com" {print $3}' "$out/sent.tsv")
mid3=$(awk -F'\t' '$1 == "ok+j3@example.com" {print $3}' "$out/sent.tsv")

# --- 1. Postfix's own DSN for the rejected recipient, through the pipe, and the log line
have_dsn() { grep -q 'relay=bouncetail.*status=sent' /var/log/bt-e2e/postfix.log; }
wait_for 60 "Postfix's DSN through the pipe" have_dsn || true
have_event1() { [ "$(events_for user-unknown+j1@example.net)" -ge 1 ]; }
wait_for 30 "the event of the rejected recipient" have_event1 || true
have_joined() { [ "$(counter joined)" -ge 1 ]; }
wait_for 30 "the log line and the DSN to join" have_joined || true
sleep 3
n=$(events_for user-unknown+j1@example.net)
order=$([ "$(counter unmatched_released)" -ge 1 ] && echo "mail first, then the log line" || echo "log line first, then the mail")
if [ "$n" = 1 ] && [ "$(counter joined)" = 1 ]; then
  pass "1 rejected recipient: exactly one event in listmonk from the log line and Postfix's DSN ($order)"
else
  fail "1 rejected recipient: $n event(s) in listmonk, joined=$(counter joined) (want 1 and 1)"
fi
grep -q "\"subscriber_uuid\": \"$sub1\"" "$out/listmonk.jsonl" && pass "1 the event carries the subscriber UUID" \
  || fail "1 the event lacks subscriber $sub1"

# --- 2. a remote that accepted and mails a DSN back later; its report carries only the Message-ID
delivered() { grep -q 'to=<ok+j2@example.com>.*status=sent' /var/log/bt-e2e/postfix.log; }
wait_for 30 "the delivery to ok+j2" delivered || true
inject() { # FILE: one mail to the bounce address over SMTP, null sender
  python3 - "$1" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", 25, local_hostname="mx.example.net", timeout=30) as s:
    s.sendmail("", ["bounce@bounces.lab.test"], open(sys.argv[1], "rb").read())
PY
}
dsn() { # RECIPIENT MESSAGE-ID ID [STATUS DIAGNOSTIC]: a remote's RFC 3464 DSN, written here
  local status=${4:-5.2.1} diag=${5:-550 5.2.1 The email account that you tried to reach is disabled}
  cat <<MAIL
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounce@bounces.lab.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-$3@mx.example.net>
Date: $(date -R)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b-$3"

--b-$3
Content-Type: text/plain

<$1>: the mailbox is disabled (accepted earlier, failed at delivery).

--b-$3
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: R$3

Final-Recipient: rfc822; $1
Action: failed
Status: $status
Diagnostic-Code: smtp; $diag

--b-$3
Content-Type: text/rfc822-headers

Message-ID: <$2>
Subject: mail-join

--b-$3--
MAIL
}
sleep 3
dsn ok+j2@example.com "$mid2" 2 > "$out/async-dsn.eml"
inject "$out/async-dsn.eml"
have_event2() { [ "$(events_for ok+j2@example.com)" -ge 1 ]; }
wait_for 30 "the asynchronous DSN's event" have_event2 || true
sleep 2
n=$(events_for ok+j2@example.com)
if [ "$n" = 1 ] && grep "\"email\": \"ok+j2@example.com\"" "$out/listmonk.jsonl" | grep -q "\"subscriber_uuid\": \"$sub2\""; then
  pass "2 asynchronous DSN after a 250: one event with the subscriber's UUID from the log"
else
  fail "2 asynchronous DSN: $n event(s), subscriber $sub2 expected"
fi

# --- 3. an ARF complaint about the message delivered to ok+j3
cat > "$out/arf.eml" <<MAIL
From: Feedback Loop <fbl@isp.example.net>
To: bounce@bounces.lab.test
Subject: complaint about message from 127.0.0.1
Message-ID: <arf-3@isp.example.net>
Date: $(date -R)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf3"

--arf3
Content-Type: text/plain

This is an email abuse report for an email message received from IP 127.0.0.1.

--arf3
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: FBL-e2e/1.0
Version: 1
Original-Mail-From: <bounce@bounces.lab.test>
Original-Rcpt-To: <ok+j3@example.com>
Source-IP: 127.0.0.1

--arf3
Content-Type: text/rfc822-headers

From: Newsletter <news@lab.test>
To: ok+j3@example.com
Message-ID: <$mid3>
Subject: mail-join ok+j3@example.com

--arf3--
MAIL
delivered3() { grep -q 'to=<ok+j3@example.com>.*status=sent' /var/log/bt-e2e/postfix.log; }
wait_for 30 "the delivery to ok+j3" delivered3 || true
inject "$out/arf.eml"
have_event3() { [ "$(events_for ok+j3@example.com)" -ge 1 ]; }
wait_for 30 "the complaint's event" have_event3 || true
if grep "\"email\": \"ok+j3@example.com\"" "$out/listmonk.jsonl" | grep -q '"type": "complaint"'; then
  pass "3 ARF complaint: a complaint in listmonk"
else
  fail "3 ARF complaint: no complaint for ok+j3 in listmonk"
fi

# --- 4. an out-of-office reply
cat > "$out/ooo.eml" <<MAIL
From: Jane <ok+j2@example.com>
To: bounce@bounces.lab.test
Subject: Out of Office: mail-join
Auto-Submitted: auto-replied
Message-ID: <ooo-4@example.net>
Date: $(date -R)

I am away until Monday.
MAIL
inject "$out/ooo.eml"
have_ooo() { [ "$(counter records.auto-reply)" -ge 1 ]; }
wait_for 30 "the auto-reply to be counted" have_ooo || true

# --- 5. a DSN naming a message we never sent
# A hard bounce (user unknown): soft bounces unsubscribe no one and are not held.
dsn victim@example.net "never-sent-$RANDOM@listmonk.lab.test" 5 5.1.1 "550 5.1.1 <victim@example.net>: user unknown" \
  > "$out/forged-dsn.eml"
inject "$out/forged-dsn.eml"
have_held() { [ "$(counter held_unmatched)" -ge 1 ]; }
wait_for 30 "the forged DSN to be held" have_held || true
sleep 3

# --- 6. Exim: its own DSN for a rejected recipient, through its pipe transport, and its mainlog line
python3 - "$out/exim-sent.tsv" <<'PY'
import smtplib, sys, uuid
from email.message import EmailMessage
rcpt = "user-unknown+x6@example.net"
sub = str(uuid.uuid5(uuid.NAMESPACE_URL, rcpt))
m = EmailMessage()
m["From"] = "Newsletter <news@lab.test>"
m["To"] = rcpt
m["Subject"] = "mail-join exim"
m["Message-ID"] = f"<{uuid.uuid4()}@listmonk.lab.test>"
m["X-Listmonk-Campaign"] = "5f0c8a52-6a0e-4c41-9d35-3f7f2b1e9a10"
m["X-Listmonk-Subscriber"] = sub
m.set_content("Hello.\n")
with smtplib.SMTP("127.0.0.1", 2625, local_hostname="listmonk.lab.test", timeout=30) as s:
    s.send_message(m, from_addr="bounce@bounces.lab.test", to_addrs=[rcpt])
open(sys.argv[1], "w").write(f"{rcpt}\t{sub}\n")
PY
exim_piped() { grep -q 'T=bouncetail_pipe' /var/log/bt-e2e/exim-mainlog; }
wait_for 60 "Exim's DSN through its pipe" exim_piped || true
have_event6() { [ "$(events_for user-unknown+x6@example.net)" -ge 1 ]; }
wait_for 30 "the Exim bounce's event" have_event6 || true
have_joined2() { [ "$(counter joined)" -ge 2 ]; }
wait_for 30 "Exim's log line and DSN to join" have_joined2 || true
sleep 3
n=$(events_for user-unknown+x6@example.net)
if [ "$n" = 1 ] && [ "$(counter joined)" = 2 ]; then
  pass "6 Exim: exactly one event from its mainlog line and its own DSN through the pipe transport"
else
  fail "6 Exim: $n event(s) for user-unknown+x6, joined=$(counter joined) (want 1 and 2)"
fi

# run refreshes the mail counters from the database at its periodic tick.
metrics_ready() {
  metrics=$(curl -s "http://127.0.0.1:$mport/metrics" || true)
  echo "$metrics" | grep -q '^bouncetail_mail_held_unmatched_total 1' \
    && echo "$metrics" | grep -q '^bouncetail_mail_records_total{kind="auto-reply"} 1'
}
wait_for 90 "run to export the mail counters" metrics_ready || true
echo "$metrics" | grep '^bouncetail_mail_' > "$out/metrics.txt" || true
[ "$(events_for ok+j2@example.com)" = 1 ] && [ "$(grep -c 'ok+j2@example.com' "$out/listmonk.jsonl")" = 1 ] \
  && [ "$(counter records.auto-reply)" = 1 ] && echo "$metrics" | grep -q '^bouncetail_mail_records_total{kind="auto-reply"} 1' \
  && pass "4 out-of-office: no event, counted (bouncetail_mail_records_total{kind=\"auto-reply\"} 1)" \
  || fail "4 out-of-office: events for ok+j2 $(events_for ok+j2@example.com), auto-reply count $(counter records.auto-reply)"
"$w/bouncetail" outbox list --held --config "$w/bt.toml" > "$out/held.txt" 2>&1 || true
if [ "$(events_for victim@example.net)" = 0 ] && grep -q 'victim@example.net' "$out/held.txt" \
  && grep -q 'unmatched' "$out/held.txt" && echo "$metrics" | grep -q '^bouncetail_mail_held_unmatched_total 1'; then
  pass "5 DSN for a message never sent: held (unmatched), not sent to listmonk"
else
  fail "5 forged DSN: listmonk got $(events_for victim@example.net), held list: $(tr '\n' ' ' < "$out/held.txt")"
fi
total=$(wc -l < "$out/listmonk.jsonl")
[ "$total" = 4 ] && pass "listmonk received exactly 4 events in all" || fail "listmonk received $total events, want 4"
grep -c 'relay=bouncetail' /var/log/bt-e2e/postfix.log | sed 's/^/mail-join: pipe deliveries in the Postfix log: /'
grep -q 'relay=bouncetail.*status=deferred' /var/log/bt-e2e/postfix.log && fail "a pipe delivery was deferred (exit 75)" || true
cp /var/log/bt-e2e/postfix.log "$out/postfix.log"
cp /var/log/bt-e2e/exim-mainlog "$out/exim-mainlog"
grep -q 'T=bouncetail_pipe.*defer' /var/log/bt-e2e/exim-mainlog && fail "an Exim pipe delivery was deferred (exit 75)" || true
! grep -q '^FAIL' "$result"
