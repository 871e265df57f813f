#!/usr/bin/env bash
# The part of run-mtas.sh that runs inside the private namespace. Not meant to be run by hand.
#
# BOUNCETAIL_E2E_JOURNALD=1: a private systemd-journald (tmpfs /run, /dev/log pointing at it) and both
# MTAs logging to syslog instead of files (Postfix without maillog_file, Exim log_file_path = syslog).
# BOUNCETAIL_E2E_HOOK=SCRIPT: run `SCRIPT started OUT` once the MTAs run (before the campaigns) and
# `SCRIPT drained OUT` once their queues are empty, inside the namespace; a failing hook fails the run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
exim=$2
lifetime=${BOUNCETAIL_E2E_LIFETIME:-90}

mount --make-rprivate /
ip link set lo up
work=$(mktemp -d /tmp/bt-e2e.XXXXXX)
trap 'cleanup' EXIT
pids=()
cleanup() {
  postfix stop >/dev/null 2>&1 || true
  [ -f "$work/exim-spool/exim.pid" ] && kill "$(cat "$work/exim-spool/exim.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
}
journald_mode=${BOUNCETAIL_E2E_JOURNALD:-}
hook=${BOUNCETAIL_E2E_HOOK:-}

mkdir -p "$work"/{pf-etc,pf-spool,log,exim-etc,exim-spool}
chmod 755 "$work"
# Logs: both MTAs write under /var/log/bt-e2e (Postfix's maillog_file must sit under maillog_file_prefixes).
mkdir -p /var/log/bt-e2e
mount --bind "$work/log" /var/log/bt-e2e
chmod 1777 "$work/log"

# --- journald mode: a journald of our own, and /dev/log reaching it, in this namespace only
if [ -n "$journald_mode" ]; then
  journald=/lib/systemd/systemd-journald
  [ -x "$journald" ] || journald=/usr/lib/systemd/systemd-journald
  mount -t tmpfs -o mode=0755 tmpfs /run
  if [ -d /var/log/journal ]; then mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; fi
  printf '[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nRuntimeMaxUse=64M\n' > "$work/journald.conf"
  [ -f /etc/systemd/journald.conf ] && mount --bind "$work/journald.conf" /etc/systemd/journald.conf
  # /dev/log: a private /dev (tmpfs) with the few nodes the MTAs and tools use, so the host's /dev
  # is never written to. cp -a of a device node makes the same node here.
  mkdir -p "$work/dev"
  mount -t tmpfs -o mode=0755 tmpfs "$work/dev"
  for n in null zero full random urandom tty; do cp -a "/dev/$n" "$work/dev/$n"; done
  mkdir -p "$work/dev/pts" "$work/dev/shm"
  mount --rbind /dev/pts "$work/dev/pts"
  mount -t tmpfs -o mode=1777 tmpfs "$work/dev/shm"
  ln -s /run/systemd/journal/dev-log "$work/dev/log"
  ln -s /proc/self/fd "$work/dev/fd"
  ln -s /proc/self/fd/0 "$work/dev/stdin"; ln -s /proc/self/fd/1 "$work/dev/stdout"; ln -s /proc/self/fd/2 "$work/dev/stderr"
  mount --move "$work/dev" /dev
  "$journald" &
  pids+=($!)
  for _ in $(seq 1 100); do [ -S /run/systemd/journal/dev-log ] && break; sleep 0.1; done
  [ -S /run/systemd/journal/dev-log ] || { echo "run-mtas: journald did not create its syslog socket"; exit 1; }
fi

# --- the scripted remote servers: 127.0.0.1 and .2 answer; nothing listens on 127.0.0.3 (refused)
python3 "$here/remote_smtp.py" 127.0.0.1 2525 127.0.0.2 2525 >"$work/remote.log" 2>&1 &
pids+=($!)

# --- Postfix
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
transport_maps = texthash:/etc/postfix/transport
header_checks = regexp:/etc/postfix/listmonk_header_checks
maillog_file = $([ -n "$journald_mode" ] || echo /var/log/bt-e2e/postfix.log)
maillog_file_prefixes = /var/log
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
maximal_queue_lifetime = ${lifetime}s
bounce_queue_lifetime = ${lifetime}s
smtp_connect_timeout = 5s
smtputf8_enable = no
CF
# The other delivery agents, for hooks that send to them (e2e/journal-trust.sh's provenance probes):
# lmtp to the scripted server (it refuses LHLO), local and virtual without such users, a failing pipe.
printf 'refused.test smtp:[127.0.0.3]:2525\nlmtp.test lmtp:inet:127.0.0.1:2525\nlocal.test local:\nvirtual.test virtual:\npipe.test pipeprobe:\n' > /etc/postfix/transport
postconf -M pipeprobe/unix='pipeprobe unix - n n - - pipe flags=q user=nobody argv=/bin/false'
postconf virtual_mailbox_base=/var/mail/bt-e2e-virtual alias_maps= alias_database=
printf '/^X-Listmonk-(Campaign|Subscriber):/ INFO\n' > /etc/postfix/listmonk_header_checks
postconf -F '*/*/chroot = n' >/dev/null
postfix start >/dev/null 2>&1 || { echo "postfix failed to start"; cat /var/log/bt-e2e/postfix.log || true; exit 1; }
if [ -z "$journald_mode" ]; then
  # postlog(1) as an unprivileged user: upstream installs it set-gid postdrop, Debian 12 does not. The
  # forged line must not reach maillog_file (e2e/mta-e2e.sh checks).
  stat -c '%A %U:%G %n' /usr/sbin/postlog /var/spool/postfix/public > "$out/postlog-perms.txt"
  setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/sbin/postlog -t postfix/smtp \
    'FORGEDPOSTLOG: to=<victim-postlog@example.org>, relay=none, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (forged)' \
    > "$out/postlog-forge.out" 2>&1 || echo "postlog exit status $?" >> "$out/postlog-forge.out"
fi

# --- Exim
mkdir -p /etc/exim4
mount --bind "$work/exim-etc" /etc/exim4
chown Debian-exim:Debian-exim "$work/exim-spool"
cat > /etc/exim4/bt-e2e.conf <<CF
primary_hostname = exim.lab.test
qualify_domain = lab.test
daemon_smtp_ports = 2625
local_interfaces = 127.0.0.1
spool_directory = $work/exim-spool
log_file_path = $([ -n "$journald_mode" ] && echo syslog || echo '/var/log/bt-e2e/exim-%slog')
syslog_duplication = false
pid_file_path = $work/exim-spool/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
trusted_users = root
tls_advertise_hosts =
keep_environment =
smtp_accept_queue_per_connection = 0
host_lookup =
rfc1413_hosts =
acl_smtp_rcpt = acl_rcpt
acl_smtp_data = acl_data
ignore_bounce_errors_after = 0s
timeout_frozen_after = ${lifetime}s

begin acl
acl_rcpt:
  accept hosts = 127.0.0.0/8
acl_data:
  warn condition = \${if def:h_X-Listmonk-Campaign: {yes}{no}}
       logwrite = X-Listmonk-Campaign: \$h_X-Listmonk-Campaign: X-Listmonk-Subscriber: \$h_X-Listmonk-Subscriber:
  accept

begin routers
refused_host:
  driver = manualroute
  domains = refused.test
  transport = remote_smtp
  route_list = * 127.0.0.3
  self = send
smarthost:
  driver = manualroute
  transport = remote_smtp
  route_list = * 127.0.0.1
  self = send

begin transports
remote_smtp:
  driver = smtp
  port = 2525
  allow_localhost
  connect_timeout = 5s

begin retry
* * F,${lifetime}s,10s
CF
echo /etc/exim4/bt-e2e.conf > /etc/exim4/trusted_configs
chmod 644 /etc/exim4/bt-e2e.conf /etc/exim4/trusted_configs
"$exim" -C /etc/exim4/bt-e2e.conf -bd -q5s
sleep 1

[ -z "$hook" ] || "$hook" started "$out"

# --- the campaigns
python3 "$here/send_campaign.py" 127.0.0.1 25 pf "$out/postfix.expect.tsv"
python3 "$here/send_campaign.py" 127.0.0.1 2625 ex "$out/exim.expect.tsv"

# --- wait for both queues to drain (deferred mail expires after the lifetime)
deadline=$((SECONDS + lifetime + 120))
while [ $SECONDS -lt $deadline ]; do
  pf=$(postqueue -p 2>/dev/null | grep -c '^[0-9A-F]' || true)
  ex=$("$exim" -C /etc/exim4/bt-e2e.conf -bpc 2>/dev/null || echo 1)
  [ "$pf" = 0 ] && [ "$ex" = 0 ] && break
  sleep 3
done
sleep 2
[ -z "$hook" ] || "$hook" drained "$out"
if [ -z "$journald_mode" ]; then
  cp /var/log/bt-e2e/postfix.log "$out/postfix.log"
  cp /var/log/bt-e2e/exim-mainlog "$out/exim-mainlog"
fi
cp "$work/remote.log" "$out/remote.log"
echo "run-mtas: postfix queue ${pf:-?}, exim queue ${ex:-?} left; logs in $out"
