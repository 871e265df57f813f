#!/usr/bin/env python3
"""Agreement of `bouncetail parse` with the public corpus on delivery status, per MTA.

Run by hand from the repository root (needs ../shared, never used by the tests):

    scripts/corpus-agreement.py [--bin .build/debug/bouncetail] [--corpus ../shared/corpus-public/delivery_lines.tsv] [--show N]

For every row whose expected_status is not `unknown`, the row's `line` is parsed on its own and mapped to a
status: a delivery record gives its normalised status, a Postfix qmgr expired record gives `expired`, anything
else gives `other`. Prints agreement per MTA and the disagreeing rows (up to --show per MTA).
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, ".build", "debug", "bouncetail"))
    ap.add_argument("--corpus", default=os.path.join(root, "..", "shared", "corpus-public", "delivery_lines.tsv"))
    ap.add_argument("--show", type=int, default=20, help="disagreements to print per MTA")
    args = ap.parse_args()

    rows = []
    with open(args.corpus, encoding="utf-8", errors="surrogateescape") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        for raw in f:
            parts = raw.rstrip("\n").split("\t")
            if len(parts) < len(header):
                continue
            if parts[col["expected_status"]] == "unknown":
                continue
            rows.append((parts[col["mta"]], parts[col["line"]], parts[col["expected_status"]], parts[col["source"]]))

    stdin = "".join(line + "\n" for _, line, _, _ in rows).encode("utf-8", "surrogateescape")
    proc = subprocess.run([args.bin, "parse", "--time-zone", "UTC"], input=stdin, capture_output=True, check=True)
    outputs = proc.stdout.decode("utf-8").splitlines()
    if len(outputs) != len(rows):
        print(f"bouncetail printed {len(outputs)} lines for {len(rows)} input lines", file=sys.stderr)
        return 1

    total = collections.Counter()
    agree = collections.Counter()
    wrong = collections.defaultdict(list)
    for (mta, line, expected, source), out in zip(rows, outputs):
        rec = json.loads(out)
        kind = rec["kind"]
        got = rec["status"] if kind == "delivery" else ("expired" if kind == "expired" else "other")
        total[mta] += 1
        if got == expected:
            agree[mta] += 1
        else:
            wrong[mta].append((expected, got, kind, source, line))

    for mta in sorted(total):
        pct = 100.0 * agree[mta] / total[mta]
        print(f"{mta}: {agree[mta]}/{total[mta]} agree ({pct:.2f}%)")
    for mta in sorted(wrong):
        print(f"\n{mta} disagreements ({len(wrong[mta])}):")
        for expected, got, kind, source, line in wrong[mta][: args.show]:
            print(f"  expected={expected} got={got} kind={kind} [{source}] {line[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
