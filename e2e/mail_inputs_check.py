#!/usr/bin/env python3
"""Compares the events a mail input stored with what `bouncetail classify-mail` says of the same mail
files: every record classify-mail forwards is in the local store (`bouncetail export --format jsonl`)
once, every record it holds is a held outbox row once, with the same recipient, type, reason (and
subscriber for the forwarded ones), and nothing else.

usage: mail_inputs_check.py CLASSIFY_JSONL EXPORT_JSONL STATE_DB LABEL
"""
import collections
import json
import sqlite3
import sys


def key(email, typ, reason, subscriber):
    return (email.lower(), typ, reason or "", subscriber or "")


def main():
    classify, export, state_db, label = sys.argv[1:5]
    expected = collections.Counter()
    expected_held = collections.Counter()
    for line in open(classify):
        r = json.loads(line)
        if r.get("type") not in ("hard", "soft", "complaint"):
            continue
        if r.get("action") == "hold":
            expected_held[key(r["recipient"], r["type"], r.get("reason"), "")] += 1
        else:
            expected[key(r["recipient"], r["type"], r.get("reason"), r.get("subscriber_uuid"))] += 1
    held = collections.Counter()
    db = sqlite3.connect("file:" + state_db + "?mode=ro", uri=True)
    for email, typ, reason in db.execute("SELECT email, type, reason FROM outbox WHERE state = 'held'"):
        held[key(email, typ, reason, "")] += 1
    got = collections.Counter()
    for line in open(export):
        b = json.loads(line)
        meta = b.get("meta") or {}
        if isinstance(meta, str):
            meta = json.loads(meta)
        got[key(b["email"], b["type"], meta.get("reason"), b.get("subscriber_uuid"))] += 1
    missing = (expected - got) + (expected_held - held)
    extra = (got - expected) + (held - expected_held)
    repeated = [k for k, n in (got + held).items() if n > 1]
    print(f"{label}: {sum(got.values())} event(s) stored and {sum(held.values())} held; classify-mail: "
          f"{sum(expected.values())} forwarded, {sum(expected_held.values())} held; "
          f"missing {sum(missing.values())}, extra {sum(extra.values())}, repeated {len(repeated)}")
    for k in list(missing)[:5]:
        print(f"{label}:   missing {k}")
    for k in list(extra)[:5]:
        print(f"{label}:   extra   {k}")
    if missing or extra or repeated or not expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
