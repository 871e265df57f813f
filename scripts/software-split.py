#!/usr/bin/env python3
"""The mail-software rules measured on rows they were not written from (an unseen split).

Run by hand from the repository root after `swift build` (needs ../shared, never used by the tests):

    scripts/software-split.py [--bin .build/debug/bouncetail] [--patterns DIR] [--baseline DIR]

`patterns/mta-software.toml` and the delivery-agent probes were written from Sisimai's decoder tables
(go-sisimai lhost/via-*.go, p5-sisimai Lhost/*.pm and MDA.pm) only; the corpus rows were never read to
write them. This script renders the Sisimai rows as Postfix lines (the shared renderer), classifies them
with the set and with `mta-software.toml` left out, and scores:

- the **software rows**: rows whose decoder (the table's `engine` or `decoded_by`) is one of the
  programs those rules cover, plus any row on which an `mta.*` rule fires;
- every row, to show what else changed.

With `--baseline DIR` (e.g. a `git archive` of main's patterns/) it also scores that set on the same rows.
It prints counts and agreement, never the corpus texts themselves.
"""
import argparse
import collections
import csv
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split_scoring import agreement, classify, load_renderer  # noqa: E402

# The decoders whose tables mta-software.toml and the delivery-agent probes were written from.
SOFTWARE = {
    "exim", "qmail", "x4", "opensmtpd", "courier", "domino", "notes", "exchange2003", "imailserver", "fml",
    "ezweb", "kddi", "messagingserver", "amavis", "mail.local", "procmail", "maildrop", "vpopmail", "vmailmgr",
    "dovecot", "gsuite", "zoho",
}


def rendered_rows(tsv):
    """The table rows the renderer turns into lines, in the same order (it skips the same ones)."""
    rows = list(csv.DictReader(open(tsv, encoding="utf-8"), delimiter="\t"))
    return [
        r for r in rows
        if r.get("exp_bounce") in ("hard", "soft")
        and (r.get("diagnostic_code") or "").replace("\t", " ").replace("\n", " ").strip()
    ]


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, ".build", "debug", "bouncetail"))
    ap.add_argument("--patterns", help="the pattern directory to measure (default: the set built into the binary)")
    ap.add_argument("--baseline", help="another pattern directory to score on the same rows (e.g. main's)")
    ap.add_argument(
        "--tsv", default=os.path.join(root, "..", "shared", "corpus-public", "sisimai", "diagnostic_expectations.tsv"))
    args = ap.parse_args()

    lines, expect = load_renderer(root).render(args.tsv)
    rows = rendered_rows(args.tsv)
    if len(rows) != len(lines):
        print(f"the table gave {len(rows)} rows for {len(lines)} rendered lines", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        source_dir = args.patterns or os.path.join(root, "patterns")
        for name in os.listdir(source_dir):
            if name.endswith(".toml") and name != "mta-software.toml":
                shutil.copy(os.path.join(source_dir, name), tmp)
        without = classify(args.bin, lines, tmp)
    full = classify(args.bin, lines, args.patterns)
    base = classify(args.bin, lines, args.baseline) if args.baseline else None
    if len(without) != len(lines) or len(full) != len(lines) or (base is not None and len(base) != len(lines)):
        print("classify printed a different number of lines than it was given", file=sys.stderr)
        return 1

    def engine(r):
        return {(r.get("engine") or "").lower(), (r.get("decoded_by") or "").lower()}

    picked = [
        i for i, r in enumerate(rows)
        if engine(r) & SOFTWARE or full[i].get("rule", "").startswith("mta.")
        or without[i].get("rule", "").startswith("mta.")
    ]
    per = collections.defaultdict(list)
    for i in picked:
        per[sorted(engine(rows[i]) & SOFTWARE or {"(an mta.* rule fired)"})[0]].append(i)
    print("software rows (their decoder is one the mta-software rules were written from):")
    if base is not None:
        print("  baseline set:              ", agreement([(expect[i], base[i]) for i in picked]))
    print("  without mta-software.toml: ", agreement([(expect[i], without[i]) for i in picked]))
    print("  with mta-software.toml:    ", agreement([(expect[i], full[i]) for i in picked]))
    for name in sorted(per):
        idx = per[name]
        line = f"    {name:16} {agreement([(expect[i], full[i]) for i in idx])}"
        if base is not None:
            line += f"   (baseline: {agreement([(expect[i], base[i]) for i in idx]).split(' ', 1)[1]})"
        print(line)
    fired = collections.Counter(g["rule"] for g in full if g.get("rule", "").startswith("mta."))
    print("mta.* rules that fired on the table:", dict(sorted(fired.items())) or "none")
    print("all rows:")
    if base is not None:
        print("  baseline set:              ", agreement(list(zip(expect, base))))
    print("  without mta-software.toml: ", agreement(list(zip(expect, without))))
    print("  with mta-software.toml:    ", agreement(list(zip(expect, full))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
