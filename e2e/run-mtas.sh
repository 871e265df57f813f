#!/usr/bin/env bash
# Runs real Postfix and Exim (Debian 12 packages) against a scripted remote SMTP server, inside a
# private network and mount namespace that has only loopback, sends a listmonk-style campaign through
# each, waits until their queues are empty (a 90 s queue lifetime makes deferred mail expire), and
# copies their logs and the expectations to OUTDIR. Nothing leaves the machine; the host's own Postfix
# and Exim configuration is untouched (the namespace bind-mounts its own /etc/postfix, spools and logs).
#
# usage: sudo e2e/run-mtas.sh OUTDIR      (exit 77: cannot run here, with the reason printed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run-mtas.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ "$(id -u)" != 0 ]; then echo "run-mtas: skipped: needs root (namespaces, MTAs)"; exit 77; fi
command -v unshare >/dev/null || { echo "run-mtas: skipped: unshare missing"; exit 77; }

cache=${BOUNCETAIL_E2E_CACHE:-/var/cache/bouncetail-e2e}
mkdir -p "$cache"
need=()
[ -x /usr/sbin/postfix ] || need+=(postfix)
dpkg -s libidn12 >/dev/null 2>&1 || need+=(libidn12)
command -v ip >/dev/null || need+=(iproute2)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Exim conflicts with Postfix as a package: unpack its binary into a private root instead.
if [ ! -x "$cache/exim-root/usr/sbin/exim4" ]; then
  (cd "$cache" && apt-get download -qq exim4-daemon-light >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq exim4-daemon-light; })
  mkdir -p "$cache/exim-root"
  dpkg-deb -x "$cache"/exim4-daemon-light_*.deb "$cache/exim-root"
fi
# Exim re-executes itself from its compiled-in path for every delivery.
[ -x /usr/sbin/exim4 ] || install -m 4755 "$cache/exim-root/usr/sbin/exim4" /usr/sbin/exim4
getent group Debian-exim >/dev/null || groupadd --system Debian-exim
getent passwd Debian-exim >/dev/null || useradd --system -g Debian-exim -d /var/spool/exim4 -s /usr/sbin/nologin Debian-exim

exec unshare --net --mount --fork bash "$here/mtas-in-namespace.sh" "$out" /usr/sbin/exim4
