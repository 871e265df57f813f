"""Helpers shared by the unseen-split scripts (`language-split.py`, `software-split.py`): load the shared
renderer, classify lines with a bouncetail binary, and score verdicts against the table's expectations.
"""
import importlib.util
import json
import os
import subprocess


def load_renderer(root):
    """The shared renderer (../shared/tools/render_sisimai.py, beside the repository) as a module."""
    path = os.path.join(root, "..", "shared", "tools", "render_sisimai.py")
    spec = importlib.util.spec_from_file_location("render_sisimai", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def classify(binary, lines, patterns_dir=None):
    """`bouncetail classify` over the lines (with `--patterns DIR` when given): one verdict per line."""
    cmd = [binary, "classify"] + (["--patterns", patterns_dir] if patterns_dir else [])
    out = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def agreement(pairs):
    """Hard/soft and reason agreement, and hard-where-soft, of (expectation, verdict) pairs, as one line."""
    n = len(pairs)
    if n == 0:
        return "n=0"
    hs = sum(1 for e, g in pairs if g.get("type") == e["bounce"])
    rs = sum(1 for e, g in pairs if g.get("reason") == e["reason"])
    hws = sum(1 for e, g in pairs if e["bounce"] == "soft" and g.get("type") == "hard")
    return f"n={n} hard/soft {hs}/{n} ({100 * hs / n:.1f}%) reason {rs}/{n} ({100 * rs / n:.1f}%) hard-where-soft {hws}"
