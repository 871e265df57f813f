#!/usr/bin/env python3
"""Writes a realistic bulk-mail Postfix log (classic syslog) of about SIZE megabytes to stdout.

    scripts/gen-postfix-log.py SIZE_MB [SEED] [HOSTS] > mail.log

HOSTS (default 1): a central log of that many MTAs, mx1 .. mxHOSTS, each message's lines under one of them at
random, as rsyslog writes a fleet's forwarded lines into one file. With 1 the output is what it always was.

    scripts/gen-postfix-log.py SIZE_MB [SEED] > mail.log
    scripts/gen-postfix-log.py SIZE_MB [SEED] --days 30 [--hosts mx1,mx2] [--campaigns 8] --expect counts.json > mail.log

With --days the log spans that many days from 2026-11-01 00:00 UTC (timestamps in UTC), several MTA hosts
and a pool of campaigns, with more outcomes: deliveries, deferred-then-delivered, user unknown (hard),
mailbox full (soft), a blocklist refusal of our IP (soft, held: the sender's fault; one provider starts
refusing on day 20), expiries after deferrals (soft), messages still deferred at the end, and on day 25 a
burst of unknown addresses at one provider that trips the spike guard. --expect writes
what bouncetail should count, from the generator's own choices (not from bouncetail): per day, host,
recipient domain and campaign, the delivered / hard / soft / deferred (messages) / held outcomes, and the
bounces per reason. See docs/report.md.

Per message, like a list server sending a campaign: smtpd connect/client/disconnect, cleanup message-id and two
X-Listmonk header INFO lines, qmgr from=, one smtp status line per recipient (about 90% sent, 6% deferred with
Gmail-style multi-line replies, 4% bounced), sometimes a later retry, qmgr removed, and some noise (anvil,
warnings, inbound rejects). Deterministic for a given seed.
"""
import random
import sys
import uuid


def main() -> None:
    if "--days" in sys.argv:
        month(sys.argv[1:])
        return
    size = int(float(sys.argv[1]) * 1024 * 1024)
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    hosts = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    host = "mx1"
    out = sys.stdout
    hexd = "0123456789ABCDEF"
    written = 0
    t = 1_000_000
    months = "Nov"
    buf = []

    def qid() -> str:
        return "".join(rng.choice(hexd) for _ in range(10))

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def stamp() -> str:
        s = t % 86400
        day = 1 + (t // 86400) % 28
        return f"{months} {day:2d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} {host}"

    domains = ["gmail.example", "yahoo.example", "outlook.example", "example.org", "example.net", "mail.example"]
    while written < size:
        t += rng.randint(0, 2)
        if hosts > 1:
            host = f"mx{rng.randint(1, hosts)}"
        q = qid()
        camp = uid()
        sub = uid()
        rcpt = f"user{rng.randint(1, 10**7)}@{rng.choice(domains)}"
        st = stamp()
        pid = rng.randint(1000, 60000)
        lines = [
            f"{st} postfix/smtpd[{pid}]: connect from localhost[127.0.0.1]",
            f"{st} postfix/smtpd[{pid}]: {q}: client=localhost[127.0.0.1]",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: message-id=<{uid()}@lists.example>",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: info: header X-Listmonk-Campaign: {camp} from localhost[127.0.0.1]; from=<bounces@lists.example> to=<{rcpt}> proto=ESMTP helo=<lists.example>",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: info: header X-Listmonk-Subscriber: {sub} from localhost[127.0.0.1]; from=<bounces@lists.example> to=<{rcpt}> proto=ESMTP helo=<lists.example>",
            f"{st} postfix/qmgr[900]: {q}: from=<bounces@lists.example>, size={rng.randint(3000, 90000)}, nrcpt=1 (queue active)",
            f"{st} postfix/smtpd[{pid}]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
        ]
        relay = f"mx{rng.randint(1, 9)}.{rcpt.split('@')[1]}[192.0.2.{rng.randint(1, 254)}]:25"
        r = rng.random()
        d = f"delay={rng.randint(0, 9)}.{rng.randint(0, 99)}, delays=0.01/0/0.2/0.3"
        if r < 0.90:
            lines.append(f"{st} postfix/smtp[{pid + 2}]: {q}: to=<{rcpt}>, relay={relay}, {d}, dsn=2.0.0, status=sent (250 2.0.0 OK {rng.getrandbits(40):x} - gsmtp)")
            lines.append(f"{st} postfix/qmgr[900]: {q}: removed")
        elif r < 0.96:
            lines.append(f"{st} postfix/smtp[{pid + 2}]: {q}: to=<{rcpt}>, relay={relay}, {d}, dsn=4.7.28, status=deferred (host {relay[:-3]} said: 421-4.7.28 Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. To protect our 421 4.7.28 users from spam, mail has been rate limited. {rng.getrandbits(40):x} - gsmtp (in reply to RCPT TO command))")
        else:
            lines.append(f"{st} postfix/smtp[{pid + 2}]: {q}: to=<{rcpt}>, relay={relay}, {d}, dsn=5.1.1, status=bounced (host {relay[:-3]} said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550 5.1.1 again. {rng.getrandbits(40):x} - gsmtp (in reply to RCPT TO command))")
            lines.append(f"{st} postfix/bounce[{pid + 3}]: {q}: sender non-delivery notification: {qid()}")
            lines.append(f"{st} postfix/qmgr[900]: {q}: removed")
        if rng.random() < 0.05:
            lines.append(f"{st} postfix/smtpd[{pid + 4}]: NOQUEUE: reject: RCPT from unknown[203.0.113.{rng.randint(1, 254)}]: 554 5.7.1 <x@lists.example>: Relay access denied; from=<spam@spam.example> to=<x@lists.example> proto=ESMTP helo=<spam.example>")
        if rng.random() < 0.02:
            lines.append(f"{st} postfix/smtp[{pid + 2}]: warning: {relay[:-3]}: TLS library problem: unexpected eof")
        if rng.random() < 0.01:
            lines.append(f"{st} postfix/anvil[77]: statistics: max connection rate 12/60s for (smtp:127.0.0.1) at {st[:15]}")
        chunk = "\n".join(lines) + "\n"
        buf.append(chunk)
        written += len(chunk)
        if len(buf) >= 2000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


def month(argv: list) -> None:
    """The --days mode (see the module docstring)."""
    import argparse
    import json

    ap = argparse.ArgumentParser()
    ap.add_argument("size_mb", type=float)
    ap.add_argument("seed", type=int, nargs="?", default=42)
    ap.add_argument("--days", type=int, required=True)
    ap.add_argument("--hosts", default="mx1,mx2")
    ap.add_argument("--campaigns", type=int, default=8)
    ap.add_argument("--expect")
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    hosts = a.hosts.split(",")
    start = 1_793_491_200  # 2026-11-01T00:00:00Z
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    hexd = "0123456789ABCDEF"
    campaigns = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(a.campaigns)]
    # Provider weights; outlook.example refuses our IP from day 20 on ("since Tuesday").
    domains = ["gmail.example", "outlook.example", "yahoo.example", "example.org", "example.net", "mail.example"]
    weights = [40, 25, 15, 8, 7, 5]
    size = int(a.size_mb * 1024 * 1024)
    est_messages = max(1, size // 1900)
    step = a.days * 86400 / est_messages
    cells = {}
    reasons = {}

    def count(t, host, rcpt, camp, what, reason=None):
        day = __import__("datetime").datetime.fromtimestamp(t, __import__("datetime").timezone.utc).strftime("%Y-%m-%d")
        key = (day, host, rcpt.split("@")[1], camp)
        c = cells.setdefault(key, {"delivered": 0, "hard": 0, "soft": 0, "deferred": 0, "held": 0})
        c[what] += 1
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1

    def stamp(t, host):
        import time as _t
        g = _t.gmtime(t)
        return f"{months[g.tm_mon - 1]} {g.tm_mday:2d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {host}"

    out = []
    written = 0
    i = 0
    end = start + a.days * 86400
    # Day 25, 10:00: a list of dead addresses at yahoo.example goes out, 35 of 40 unknown within ten minutes:
    # enough for the spike guard (20 hard bounces, half the outcomes, in 15 minutes) to trip.
    burst_at = start + 24 * 86400 + 10 * 3600
    burst_left = 40 if a.days > 24 else 0
    while written < size:
        forced = None
        if burst_left > 0 and start + i * step >= burst_at:
            t = burst_at + (40 - burst_left) * 15
            forced = "unknown" if burst_left > 5 else "sent"
            burst_left -= 1
        else:
            t = int(start + i * step)
            i += 1
        if t >= end - 3600:
            break
        host = rng.choice(hosts)
        q = "".join(rng.choice(hexd) for _ in range(10))
        camp = rng.choice(campaigns)
        sub = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        domain = "yahoo.example" if forced else rng.choices(domains, weights)[0]
        rcpt = f"user{rng.randint(1, 10**7)}@{domain}"
        pid = rng.randint(1000, 60000)
        st = stamp(t, host)
        lines = [
            f"{st} postfix/smtpd[{pid}]: {q}: client=localhost[127.0.0.1]",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: message-id=<{sub}.{i}@lists.example>",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: info: header X-Listmonk-Campaign: {camp} from localhost[127.0.0.1]; from=<bounces@lists.example> to=<{rcpt}> proto=ESMTP helo=<lists.example>",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: info: header X-Listmonk-Subscriber: {sub} from localhost[127.0.0.1]; from=<bounces@lists.example> to=<{rcpt}> proto=ESMTP helo=<lists.example>",
            f"{st} postfix/qmgr[900]: {q}: from=<bounces@lists.example>, size={rng.randint(3000, 90000)}, nrcpt=1 (queue active)",
        ]
        relay = f"mx{rng.randint(1, 9)}.{domain}[192.0.2.{rng.randint(1, 254)}]:25"
        smtp = f"postfix/smtp[{pid + 2}]: {q}: to=<{rcpt}>, relay={relay}, delay=1.2, delays=0.01/0/0.2/0.3"
        later = stamp(t + 600, host)
        r = rng.random()
        blocked = 0.30 if domain == "outlook.example" and t >= start + 19 * 86400 else 0.01
        if forced:
            r = blocked + 0.01 if forced == "unknown" else 1.0
        if r < blocked:
            lines.append(f"{st} {smtp}, dsn=5.7.1, status=bounced (host {relay[:-3]} said: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org (in reply to RCPT TO command))")
            lines.append(f"{st} postfix/qmgr[900]: {q}: removed")
            count(t, host, rcpt, camp, "soft", "blocked")
            count(t, host, rcpt, camp, "held")
        elif r < blocked + 0.04:
            lines.append(f"{st} {smtp}, dsn=5.1.1, status=bounced (host {relay[:-3]} said: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))")
            lines.append(f"{st} postfix/qmgr[900]: {q}: removed")
            count(t, host, rcpt, camp, "hard", "userunknown")
        elif r < blocked + 0.06:
            lines.append(f"{st} {smtp}, dsn=5.2.2, status=bounced (host {relay[:-3]} said: 552 5.2.2 Mailbox full: the recipient's mailbox is over its storage quota (in reply to RCPT TO command))")
            lines.append(f"{st} postfix/qmgr[900]: {q}: removed")
            count(t, host, rcpt, camp, "soft", "mailboxfull")
        elif r < blocked + 0.11:
            lines.append(f"{st} {smtp}, dsn=4.7.1, status=deferred (host {relay[:-3]} said: 450 4.7.1 <{rcpt}>: Recipient address rejected: Greylisted, please try again later (in reply to RCPT TO command))")
            lines.append(f"{later} {smtp}, dsn=4.7.1, status=deferred (host {relay[:-3]} said: 450 4.7.1 <{rcpt}>: Recipient address rejected: Greylisted, please try again later (in reply to RCPT TO command))")
            lines.append(f"{later} {smtp}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {rng.getrandbits(40):X})")
            lines.append(f"{later} postfix/qmgr[900]: {q}: removed")
            count(t, host, rcpt, camp, "deferred")
            count(t + 600, host, rcpt, camp, "delivered")
        elif r < blocked + 0.12:
            lines.append(f"{st} {smtp}, dsn=4.2.2, status=deferred (host {relay[:-3]} said: 452 4.2.2 The email account that you tried to reach is over quota (in reply to RCPT TO command))")
            lines.append(f"{later} postfix/qmgr[900]: {q}: from=<bounces@lists.example>, status=expired, returned to sender")
            lines.append(f"{later} postfix/qmgr[900]: {q}: removed")
            count(t, host, rcpt, camp, "deferred")
            count(t + 600, host, rcpt, camp, "soft", "mailboxfull")
        elif r < blocked + 0.13:
            lines.append(f"{st} {smtp}, dsn=4.4.1, status=deferred (connect to {relay[:-3]}: Connection timed out)")
            count(t, host, rcpt, camp, "deferred")
        else:
            lines.append(f"{st} {smtp}, dsn=2.0.0, status=sent (250 2.0.0 OK {rng.getrandbits(40):x} - gsmtp)")
            lines.append(f"{st} postfix/qmgr[900]: {q}: removed")
            count(t, host, rcpt, camp, "delivered")
        if rng.random() < 0.03:
            lines.append(f"{st} postfix/smtpd[{pid + 4}]: NOQUEUE: reject: RCPT from unknown[203.0.113.{rng.randint(1, 254)}]: 554 5.7.1 <x@lists.example>: Relay access denied; from=<spam@spam.example> to=<x@lists.example> proto=ESMTP helo=<spam.example>")
        chunk = "\n".join(lines) + "\n"
        out.append(chunk)
        written += len(chunk)
    # Lines of one message can be 10 minutes apart: write in time order, as syslog does.
    flat = [ln for chunk in out for ln in chunk.splitlines()]
    order = sorted(range(len(flat)), key=lambda k: (stamp_key(flat[k], months), k))
    sys.stdout.write("".join(flat[k] + "\n" for k in order))
    if a.expect:
        rows = [{"day": k[0], "host": k[1], "domain": k[2], "campaign": k[3], **v} for k, v in sorted(cells.items())]
        with open(a.expect, "w") as f:
            trips = ["yahoo.example"] if a.days > 24 else []
            json.dump({"cells": rows, "reasons": reasons, "guard_trips": trips}, f, indent=1, sort_keys=True)


def stamp_key(line: str, months: list) -> tuple:
    mon = months.index(line[:3])
    return (mon, int(line[4:6]), line[7:15])


if __name__ == "__main__":
    main()
