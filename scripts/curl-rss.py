#!/usr/bin/env python3
"""What loading libcurl (dlopen, at the first IMAP/POP3 poll) adds to a running bouncetail: the resident
memory of the shared libraries mapped in the process that the binary itself does not link (libcurl,
OpenSSL's libssl/libcrypto, GnuTLS, Kerberos, LDAP, ...), from /proc/PID/smaps, beside its VmRSS.
Used for the figures in docs/design/2026-12-03-mail-inputs.md.

usage: curl-rss.py PID BINARY
"""
import os
import re
import subprocess
import sys


def main():
    pid, binary = sys.argv[1], sys.argv[2]
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    linked = {os.path.realpath(m.group(1)) for m in re.finditer(r"(/\S+\.so[^\s]*)", out)}
    rss = {}
    current = None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            path = parts[5] if len(parts) >= 6 else ""
            current = os.path.realpath(path) if ".so" in path and path.startswith("/") else None
        elif parts and parts[0] == "Rss:" and current and current not in linked:
            rss[current] = rss.get(current, 0) + int(parts[1])
    total = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
    curl = any("libcurl" in p for p in rss)
    print(f"curl-rss: VmRSS {total / 1024:.1f} MB; libcurl {'loaded' if curl else 'not loaded'}; "
          f"{len(rss)} libraries loaded after start: {sum(rss.values()) / 1024:.1f} MB resident")
    for path, kb in sorted(rss.items(), key=lambda x: -x[1])[:5]:
        print(f"curl-rss:   {os.path.basename(path)} {kb} kB")


if __name__ == "__main__":
    main()
