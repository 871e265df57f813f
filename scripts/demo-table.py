#!/usr/bin/env python3
"""The demo's answer as a table a person can read in one screen: who bounced, hard or soft, why, and
what bouncetail does with it. Fits the terminal's width by choosing shorter wording or stacking the
columns, never by cutting a field.

usage: demo-table.py STORED_JSONL HELD_JSONL
  STORED_JSONL  `bouncetail export --format jsonl` (webhook bodies of the bounces kept for listmonk)
  HELD_JSONL    `bouncetail outbox list --held` (one JSON object per held bounce)
"""
import json
import shutil
import sys
import textwrap

# Sisimai reason names in plain words (the names are Sisimai's; docs/patterns.md lists them all).
WHY = {
    "userunknown": "no such address",
    "hasmoved": "address moved",
    "mailboxfull": "mailbox full",
    "suspend": "account disabled",
    "filtered": "refused by filter",
    "blocked": "our IP blocked",
    "badreputation": "our reputation",
    "spamdetected": "judged spam",
    "policyviolation": "their policy",
    "rejected": "sender refused",
    "expired": "expired in queue",
    "networkerror": "network error",
    "systemerror": "their system error",
    "hostunknown": "no such domain",
    "notaccept": "takes no mail",
    "toomanyconn": "too many connections",
    "speeding": "sending too fast",
    "authfailure": "SPF/DKIM/DMARC",
    "securityerror": "security error",
    "mesgtoobig": "message too big",
    "exceedlimit": "over a size limit",
    "contenterror": "content refused",
    "norelaying": "relaying denied",
    "syntaxerror": "SMTP syntax error",
    "virusdetected": "virus found",
    "undefined": "no rule matched",
}
HOLD = {
    "sender-fault": "hold: our fault, not theirs",
    "too-old": "hold: too old to send",
    "superseded": "hold: delivered later",
    "spike-guard": "hold: provider incident?",
}
HOLD_SHORT = {"sender-fault": "hold (our fault)", "too-old": "hold (too old)", "superseded": "hold (superseded)",
              "spike-guard": "hold (guard)"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rows(stored, held):
    out = []
    for b in stored:
        meta = b.get("meta") or {}
        out.append({"who": b["email"], "type": b.get("type", "?"), "reason": meta.get("reason") or "?",
                    "do": "send to listmonk", "short": "send to listmonk", "held": False})
    for h in held:
        hold = h.get("hold_reason") or ""
        key = next((k for k in HOLD if hold.startswith(k)), None)
        out.append({"who": h["email"], "type": h.get("type") or "?", "reason": h.get("reason") or "?",
                    "do": HOLD.get(key, "hold: " + hold), "short": HOLD_SHORT.get(key, "hold"), "held": True})
    out.sort(key=lambda r: (r["held"], r["type"], r["reason"], r["who"]))
    return out


def table(rs, width):
    def why(r, long):
        return f"{r['reason']} ({WHY[r['reason']]})" if long and r["reason"] in WHY else r["reason"]

    heads = ["WHO", "HARD/SOFT", "WHY", "WHAT HAPPENS"]
    for long_why, long_do in ((True, True), (True, False), (False, True), (False, False)):
        cells = [[r["who"], r["type"], why(r, long_why), r["do"] if long_do else r["short"]] for r in rs]
        widths = [max(len(c[i]) for c in cells + [heads]) for i in range(4)]
        if sum(widths) + 2 * 3 <= width:
            fmt = "  ".join("{:<%d}" % w for w in widths[:3]) + "  {}"
            return [fmt.format(*heads)] + [fmt.format(*c) for c in cells]
    # Too narrow for one row per bounce: each bounce on two lines, nothing cut.
    lines = []
    for r in rs:
        lines.append(r["who"])
        lines.append(f"    {r['type']}, {why(r, False)}: {r['short']}")
    return lines


def main():
    stored, held = load(sys.argv[1]), load(sys.argv[2])
    rs = rows(stored, held)
    width = shutil.get_terminal_size((100, 24)).columns
    hard = sum(1 for r in rs if not r["held"] and r["type"] == "hard")
    soft = sum(1 for r in rs if not r["held"] and r["type"] == "soft")
    head = (f"{len(rs)} bounces: {hard + soft} for listmonk ({hard} hard, {soft} soft), "
            f"{sum(r['held'] for r in rs)} held for you to review")
    print(textwrap.fill(head, width=max(40, width - 1)))
    print()
    for line in table(rs, width):
        print(line)
    print()
    footer = ("The demo has no listmonk, so its bounces stay in the local store; with [listmonk] url set they "
              "are sent, and by listmonk's default settings one hard bounce blocklists the subscriber while soft "
              "ones only count. Held bounces are not sent: review them with `bouncetail outbox list --held`, "
              "send them with `bouncetail outbox release`.")
    print(textwrap.fill(footer, width=max(40, width - 1), break_long_words=False, break_on_hyphens=False))

if __name__ == "__main__":
    main()
