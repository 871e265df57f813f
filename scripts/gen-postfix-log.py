#!/usr/bin/env python3
"""Writes a realistic bulk-mail Postfix log (classic syslog) of about SIZE megabytes to stdout.

    scripts/gen-postfix-log.py SIZE_MB [SEED] [HOSTS] > mail.log

HOSTS (default 1): a central log of that many MTAs, mx1 .. mxHOSTS, each message's lines under one of them at
random, as rsyslog writes a fleet's forwarded lines into one file. With 1 the output is what it always was.

Per message, like a list server sending a campaign: smtpd connect/client/disconnect, cleanup message-id and two
X-Listmonk header INFO lines, qmgr from=, one smtp status line per recipient (about 90% sent, 6% deferred with
Gmail-style multi-line replies, 4% bounced), sometimes a later retry, qmgr removed, and some noise (anvil,
warnings, inbound rejects). Deterministic for a given seed.
"""
import random
import sys
import uuid


def main() -> None:
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


if __name__ == "__main__":
    main()
