#!/usr/bin/env bash
# Installs the Debian packages bouncetail needs to build and test, when they are missing.
# Safe to run again: it does nothing when everything is there. Needs root (or sudo) only to install.
set -euo pipefail
pkgs=(libsqlite3-dev libsystemd-dev zlib1g-dev libisal-dev libcurl4-openssl-dev systemd-journal-remote python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
