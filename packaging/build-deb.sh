#!/bin/bash
# Builds bouncetail_<version>_<arch>.deb from a release build.
#
#   packaging/build-deb.sh                      # swift build -c release (static Swift runtime), then package
#   packaging/build-deb.sh --binary PATH        # package an existing binary (e.g. a debug build, to test this script;
#                                               # its Swift runtime libraries, which no Debian package owns, are
#                                               # then left out of Depends with a warning: it runs where they are)
#   packaging/build-deb.sh --version 0.2.0 --out DIR
#
# The package holds: /usr/bin/bouncetail, the systemd unit (installed disabled), the default
# configuration (a conffile), the default pattern set, the man page, bash/zsh/fish completions, the
# Postfix and Exim snippets, and the operator docs. Its maintainer scripts create the `bouncetail`
# system user and enable or start nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
binary=""
given_binary=""
version=""
out="$root/out"

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; given_binary=1; shift 2 ;;
        --version) version="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-deb.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

for tool in dpkg-deb dpkg gzip objdump ldd; do
    command -v "$tool" >/dev/null || { echo "build-deb.sh: $tool is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done

if [ -z "$binary" ]; then
    echo "==> swift build -c release --product bouncetail --static-swift-stdlib"
    (cd "$root" && swift build -c release --product bouncetail --static-swift-stdlib)
    binary="$(cd "$root" && swift build -c release --product bouncetail --static-swift-stdlib --show-bin-path)/bouncetail"
fi
[ -x "$binary" ] || { echo "build-deb.sh: no executable at $binary" >&2; exit 1; }

if [ -z "$version" ]; then
    version="$("$binary" --version 2>/dev/null | tr -d '[:space:]')"
    [ -n "$version" ] || version="0.0.0"
fi
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/bouncetail_${version}_${arch}"

install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/etc/bouncetail/patterns.d" \
    "$pkg/usr/share/bouncetail/patterns" "$pkg/usr/share/bouncetail/examples" "$pkg/usr/share/man/man1" \
    "$pkg/usr/share/doc/bouncetail" "$pkg/usr/share/bash-completion/completions" \
    "$pkg/usr/share/zsh/vendor-completions" "$pkg/usr/share/fish/vendor_completions.d"

install -m 0755 "$binary" "$pkg/usr/bin/bouncetail"
# Debug builds are large; a release binary is stripped too.
strip --strip-unneeded "$pkg/usr/bin/bouncetail" 2>/dev/null || true
install -m 0644 "$here/bouncetail.service" "$pkg/lib/systemd/system/bouncetail.service"
install -m 0640 "$here/bouncetail.toml" "$pkg/etc/bouncetail/bouncetail.toml"

# The default pattern set; tolerate an empty or missing patterns/ (it is also built into the binary).
if [ -d "$root/patterns" ] && [ -n "$(ls -A "$root/patterns" 2>/dev/null)" ]; then
    cp -R "$root/patterns/." "$pkg/usr/share/bouncetail/patterns/"
    find "$pkg/usr/share/bouncetail/patterns" -type d -exec chmod 0755 {} + 
    find "$pkg/usr/share/bouncetail/patterns" -type f -exec chmod 0644 {} +
else
    echo "build-deb.sh: note: patterns/ is empty; the package relies on the set built into the binary" >&2
fi

install -m 0644 "$here/examples/postfix-listmonk_header_checks" "$here/examples/exim-listmonk-acl.conf" \
    "$here/examples/rsyslog-60-bouncetail-mail.conf" \
    "$pkg/usr/share/bouncetail/examples/"
install -m 0644 "$here/bouncetail.toml" "$pkg/usr/share/bouncetail/examples/bouncetail.toml"

gzip -9n -c "$here/bouncetail.1" > "$pkg/usr/share/man/man1/bouncetail.1.gz"
chmod 0644 "$pkg/usr/share/man/man1/bouncetail.1.gz"

# The alert rules and their tests, and the Grafana dashboard (docs/operations.md).
install -d "$pkg/usr/share/doc/bouncetail/prometheus" "$pkg/usr/share/doc/bouncetail/grafana"
install -m 0644 "$here/prometheus/bouncetail-alerts.yml" "$here/prometheus/bouncetail-alerts.test.yml" \
    "$pkg/usr/share/doc/bouncetail/prometheus/"
install -m 0644 "$here/grafana/bouncetail-dashboard.json" "$pkg/usr/share/doc/bouncetail/grafana/"

for doc in configuration.md operations.md install.md report.md; do
    [ -f "$root/docs/$doc" ] && install -m 0644 "$root/docs/$doc" "$pkg/usr/share/doc/bouncetail/$doc"
done
[ -f "$root/CHANGELOG.md" ] && gzip -9n -c "$root/CHANGELOG.md" > "$pkg/usr/share/doc/bouncetail/changelog.gz"

# Completions come from argument-parser; a binary that cannot produce them fails the build.
"$binary" --generate-completion-script bash > "$pkg/usr/share/bash-completion/completions/bouncetail"
"$binary" --generate-completion-script zsh > "$pkg/usr/share/zsh/vendor-completions/_bouncetail"
"$binary" --generate-completion-script fish > "$pkg/usr/share/fish/vendor_completions.d/bouncetail.fish"
chmod 0644 "$pkg/usr/share/bash-completion/completions/bouncetail" \
    "$pkg/usr/share/zsh/vendor-completions/_bouncetail" "$pkg/usr/share/fish/vendor_completions.d/bouncetail.fish"

# Depends: the packages that own the shared libraries the binary links (plus adduser for postinst, and
# libcurl4, which the binary loads with dlopen when an IMAP or POP3 mailbox is configured).
depends="adduser"$'\n'"libcurl4"
# Only the binary's own NEEDED entries: their dependencies are their packages' business.
needed="$(objdump -p "$binary" | awk '/NEEDED/ { print $2 }')"
for name in $needed; do
    lib="$(ldd "$binary" | awk -v n="$name" '($1 == n && /=>/) { print $3; exit } ($1 ~ "/" n "$") { print $1; exit }')"
    [ -n "$lib" ] || { echo "build-deb.sh: $name is not found by ldd" >&2; exit 1; }
    owner="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1 || true)"
    [ -n "$owner" ] || owner="$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1 || true)"
    if [ -z "$owner" ]; then
        # A binary built here (--binary, e.g. a debug build) links the toolchain's Swift runtime: package it
        # for this machine, saying so; a release build (no --binary) must not need it.
        if [ -n "$given_binary" ] || [ "${BOUNCETAIL_ALLOW_UNPACKAGED_LIBS:-}" = 1 ]; then
            unpackaged="${unpackaged:-}${unpackaged:+, }$name"
            continue
        fi
        echo "build-deb.sh: $lib belongs to no Debian package; build with --static-swift-stdlib (the default)" >&2
        exit 1
    fi
    depends="$depends"$'\n'"$owner"
done
if [ -n "${unpackaged:-}" ]; then
    echo "build-deb.sh: warning: $binary links libraries no Debian package owns ($unpackaged); the package runs" \
        "only where they are at the same path (this machine). For other machines, build without --binary." >&2
fi
depends="$(printf '%s\n' "$depends" | awk 'NF && !seen[$0]++' | paste -sd, - | sed 's/,/, /g')"

installed_size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: bouncetail
Version: $version
Architecture: $arch
Maintainer: bouncetail maintainers <bouncetail@localhost>
Installed-Size: $installed_size
Depends: $depends
Recommends: systemd
Suggests: postfix | exim4
Section: mail
Priority: optional
Homepage: https://github.com/bouncetail/bouncetail
Description: bounce processor for listmonk reading Postfix/Exim logs and the journal
 bouncetail tails the mail logs of Postfix or Exim and the systemd journal,
 joins each message's lines, classifies every final delivery failure (Sisimai
 reason names, hard or soft, whose fault) with a configurable pattern set, and
 delivers each bounce to listmonk's bounce webhook or a local SQLite store,
 never losing or repeating one across restarts and log rotations.
 .
 The service is installed disabled: configure /etc/bouncetail/bouncetail.toml
 and run "systemctl enable --now bouncetail".
CONTROL
echo "/etc/bouncetail/bouncetail.toml" > "$pkg/DEBIAN/conffiles"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$pkg/DEBIAN/"

mkdir -p "$out"
deb="$out/bouncetail_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group "$pkg" "$deb" >/dev/null
echo "$deb"
