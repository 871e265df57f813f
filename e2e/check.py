#!/usr/bin/env python3
"""Check bouncetail's events against the expectations written by send_campaign.py.

usage: check.py [--forwarded-only] EXPECT_TSV EVENTS_JSONL [LABEL]

--forwarded-only: EVENTS_JSONL is the local store's export, which holds forwarded bounces only (held
ones stay in the outbox): expected held bounces must be absent from it.

EVENTS_JSONL holds one BounceEvent per line (`bouncetail backfill --dry-run` output, or an export).
Every expected bounce must appear exactly once with the right type, reason, action and listmonk ids;
delivered recipients and bounce notifications must produce nothing. Prints 'N passed, M failed'.
"""
import csv
import json
import sys


def main():
    args = sys.argv[1:]
    forwarded_only = "--forwarded-only" in args
    args = [a for a in args if a != "--forwarded-only"]
    expect_path, events_path = args[0], args[1]
    label = args[2] if len(args) > 2 else expect_path
    rows = list(csv.DictReader(open(expect_path), delimiter="\t"))
    events = [json.loads(l) for l in open(events_path) if l.strip()]
    by_email = {}
    for e in events:
        by_email.setdefault(e["email"], []).append(e)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL [{label}] {what}")

    expected_emails = set()
    for r in rows:
        email = r["email"]
        got = by_email.get(email, [])
        if r["outcome"] == "none" or (forwarded_only and r["action"] == "hold"):
            check(not got, f"{email}: expected no event here, got {len(got)}")
            continue
        expected_emails.add(email)
        check(len(got) == 1, f"{email}: expected exactly one event, got {len(got)}")
        if not got:
            continue
        e = got[0]
        meta = e.get("meta", {})
        check(e.get("type") == r["type"], f"{email}: type {e.get('type')} != {r['type']}")
        reasons = r["reasons"].split(",")
        check(meta.get("reason") in reasons, f"{email}: reason {meta.get('reason')} not in {reasons} (rule {meta.get('rule')}; {meta.get('diagnostic')})")
        check(meta.get("action") == r["action"], f"{email}: action {meta.get('action')} != {r['action']}")
        check(meta.get("status") == r["outcome"], f"{email}: status {meta.get('status')} != {r['outcome']}")
        if r["subscriber_uuid"]:
            check(e.get("subscriber_uuid") == r["subscriber_uuid"], f"{email}: subscriber_uuid {e.get('subscriber_uuid')} != {r['subscriber_uuid']}")
            check(bool(e.get("campaign_uuid")), f"{email}: campaign_uuid missing")
        else:
            check(not e.get("subscriber_uuid"), f"{email}: unexpected subscriber_uuid")
        check(bool(meta.get("queue_id")), f"{email}: meta.queue_id missing")
    extra = [e["email"] for e in events if e["email"] not in expected_emails]
    check(not extra, f"unexpected events for {extra}")
    print(f"e2e {label}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
