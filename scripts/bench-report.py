#!/usr/bin/env python3
"""How long `bouncetail report` takes on a large state database.

    scripts/bench-report.py BIN [BOUNCES] [WORKDIR]
    BENCH_REUSE=1 scripts/bench-report.py BIN BOUNCES WORKDIR     # time again on the database already there

Makes a state database with the schema of BIN (it creates and migrates it), fills it with BOUNCES bounces
(default 1,000,000) over 30 days, 200 recipient domains, 3 MTA hosts and 20 campaigns (95 % in the local store,
5 % held in the outbox as the sender's fault, each with a remote text), the outcome counts of a sender whose
bounce rate is about 5 % (so about 20 million deliveries, as count rows), and a few spike-guard trips. Then it
times the report: the terminal summary, --format json, --html, and one --domain. Prints one line per run with
the wall-clock seconds and the CPU seconds (user + system) of the best of 3 runs, and microseconds per bounce.
On a busy machine the CPU time is the figure to compare.
"""
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="bouncetail-bench-report-")
os.makedirs(work, exist_ok=True)
state = os.path.join(work, "state.db")
reuse = os.environ.get("BENCH_REUSE") == "1" and os.path.exists(state)
if os.path.exists(state) and not reuse:
    os.remove(state)


def fill():
    # The binary creates and migrates the database (an empty report).
    subprocess.run([binary, "report", "--state", state, "--format", "json"], check=True, stdout=subprocess.DEVNULL)

    rng = random.Random(7)
    start = 1_793_491_200  # 2026-11-01T00:00:00Z
    day_us = 86_400_000_000
    domains = [f"d{i}.example" for i in range(200)]
    weights = [1.0 / (i + 1) for i in range(200)]
    hosts = ["mx1", "mx2", "mx3"]
    campaigns = [f"00000000-0000-4000-8000-{i:012d}" for i in range(20)]
    reasons = [("userunknown", "hard", "recipient", "550 5.1.1 <{e}>: Recipient address rejected: User unknown"),
               ("mailboxfull", "soft", "recipient", "552 5.2.2 Mailbox full"),
               ("hostunknown", "hard", "recipient", "Host or domain name not found"),
               ("blocked", "soft", "sender", "554 5.7.1 Client host [198.51.100.7] blocked using zen.spamhaus.org")]
    rweights = [70, 15, 10, 5]

    db = sqlite3.connect(state)
    db.execute("PRAGMA synchronous=OFF")
    t0 = time.time()
    bounces, outbox = [], []
    counts = {}
    for i in range(n):
        t = start * 1_000_000 + rng.randrange(30 * day_us)
        d = rng.choices(domains, weights)[0]
        host = rng.choice(hosts)
        camp = rng.choice(campaigns)
        reason, typ, fault, text = rng.choices(reasons, rweights)[0]
        email = f"u{i}@{d}"
        key = f"v2|{host}|postfix|Q{i:010X}|a:{t // 1_000_000}|{email}|bounced"
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t // 1_000_000))
        meta = {"reason": reason, "fault": fault, "action": "hold" if fault == "sender" else "forward", "host": host,
                "diagnostic": text.format(e=email)}
        if fault == "sender":
            body = json.dumps({"email": email, "campaign_uuid": camp, "type": typ, "created_at": created, "meta": meta})
            outbox.append((key, body, email, reason, typ, fault, "hold", host, d, t, t, t, "sender-fault"))
        else:
            bounces.append((email, "", camp, typ, "postfix", json.dumps(meta), created, t, key))
        cell = (t // day_us, host, d, camp)
        c = counts.setdefault(cell, {"hard": 0, "soft": 0, "held": 0})
        c[typ] += 1
        if fault == "sender":
            c["held"] += 1
    db.executemany("INSERT INTO bounces (email, subscriber_uuid, campaign_uuid, type, source, meta, created_at, created_us,"
                   " dedup_key) VALUES (?,?,?,?,?,?,?,?,?)", bounces)
    db.executemany("INSERT INTO outbox (dedup_key, state, body, email, reason, type, fault, action, mta_host, remote_domain,"
                   " created_at, enqueued_at, next_attempt_at, hold_reason) VALUES (?, 'held', ?,?,?,?,?,?,?,?,?,?,?,?)",
                   outbox)
    rows = []
    for (day, host, d, camp), c in counts.items():
        bounced = c["hard"] + c["soft"]
        rows += [(day, host, d, camp, "delivered", bounced * 19), (day, host, d, camp, "hard", c["hard"]),
                 (day, host, d, camp, "soft", c["soft"]), (day, host, d, camp, "deferred", bounced)]
        if c["held"]:
            rows.append((day, host, d, camp, "held", c["held"]))
    db.executemany("INSERT INTO outcome_counts (day, host, domain, campaign, outcome, n) VALUES (?,?,?,?,?,?)",
                   [r for r in rows if r[5] > 0])
    db.executemany("INSERT INTO runtime_facts (at, kind, subject, detail) VALUES (?,?,?,?)",
                   [(start * 1_000_000 + k * 3 * day_us, kind, "d0.example", "bench")
                    for k in range(5) for kind in ("guard_tripped", "guard_released")])
    db.commit()
    db.execute("VACUUM")
    db.close()
    size = os.path.getsize(state)
    print(f"bench-report: {n} bounces ({len(outbox)} held in the outbox), {len(rows)} count rows, "
          f"{size / 1e6:.0f} MB; filled in {time.time() - t0:.0f} s ({work})")



if not reuse:
    fill()
else:
    print(f"bench-report: reusing {state} ({os.path.getsize(state) / 1e6:.0f} MB)")

runs = [("summary", []), ("json", ["--format", "json"]), ("html", ["--html", os.path.join(work, "r.html")]),
        ("one domain", ["--domain", "d3.example"])]
for name, extra in runs:
    best = None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.time()
        subprocess.run([binary, "report", "--state", state] + extra, check=True, stdout=subprocess.DEVNULL)
        wall = time.time() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if best is None or cpu < best[1]:
            best = (wall, cpu)
    print(f"bench-report: report {name}: {best[0]:.2f} s wall, {best[1]:.2f} s CPU "
          f"({best[1] / n * 1e6:.2f} µs CPU per bounce)")
