#!/usr/bin/env python3
"""The language rules measured on rows they were not written from (an unseen split).

Run by hand from the repository root after `swift build` (needs ../shared, never used by the tests):

    scripts/language-split.py [--bin .build/debug/bouncetail] [--tsv ../shared/corpus-public/sisimai/diagnostic_expectations.tsv]

The `patterns/lang-*.toml` rules were written from their cited sources only; the corpus rows were never
read to write them. This script renders the Sisimai rows as Postfix lines (the shared renderer), classifies
them twice, with the full pattern set and with the `lang-*.toml` files left out, and scores:

- the **language rows**: lines whose remote text holds a non-ASCII letter, or on which a `lang.*` rule
  fires; these are the rows the language work is about, unseen when the rules were written;
- every row, to show that the language rules change nothing else.

It prints counts, agreement and which `lang.*` rules fired; never the corpus texts themselves.
"""
import argparse
import collections
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split_scoring import agreement, classify, load_renderer  # noqa: E402


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, ".build", "debug", "bouncetail"))
    ap.add_argument("--patterns", help="the pattern directory to measure (default: the set built into the binary)")
    ap.add_argument(
        "--tsv", default=os.path.join(root, "..", "shared", "corpus-public", "sisimai", "diagnostic_expectations.tsv"))
    args = ap.parse_args()

    lines, expect = load_renderer(root).render(args.tsv)
    with tempfile.TemporaryDirectory() as tmp:
        source_dir = args.patterns or os.path.join(root, "patterns")
        for name in os.listdir(source_dir):
            if name.endswith(".toml") and not name.startswith("lang-"):
                shutil.copy(os.path.join(source_dir, name), tmp)
        without = classify(args.bin, lines, tmp)
    with_lang = classify(args.bin, lines, args.patterns)
    if len(without) != len(lines) or len(with_lang) != len(lines):
        print("classify printed a different number of lines than it was given", file=sys.stderr)
        return 1

    def text_of(line):
        return line.split(" status=", 1)[1] if " status=" in line else line

    fired = collections.Counter(g["rule"] for g in with_lang if g.get("rule", "").startswith("lang."))
    lang_rows = [
        i for i, l in enumerate(lines)
        if any(ord(c) > 127 and c.isalpha() for c in text_of(l)) or with_lang[i].get("rule", "").startswith("lang.")
    ]
    print("language rows (non-ASCII letters, or a lang.* rule fires):")
    print("  without lang-*.toml:", agreement([(expect[i], without[i]) for i in lang_rows]))
    print("  with lang-*.toml:   ", agreement([(expect[i], with_lang[i]) for i in lang_rows]))
    changed = [i for i in range(len(lines)) if without[i].get("reason") != with_lang[i].get("reason")]
    print(f"rows whose reason the language rules changed: {len(changed)}, of them now right: "
          f"{sum(1 for i in changed if with_lang[i].get('reason') == expect[i]['reason'])}, "
          f"were right before: {sum(1 for i in changed if without[i].get('reason') == expect[i]['reason'])}")
    print("all rows:")
    print("  without lang-*.toml:", agreement(list(zip(expect, without))))
    print("  with lang-*.toml:   ", agreement(list(zip(expect, with_lang))))
    print("lang.* rules that fired:", dict(sorted(fired.items())) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
