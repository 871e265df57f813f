#!/usr/bin/env python3
"""A Postfix log generator whose bounces are known exactly, for the durability tests.

Every message has its own queue id, Message-ID, listmonk campaign/subscriber UUIDs and recipient
address, so each bounce has one identity and the expected set of events is the set of bounced
recipients. Messages are: delivered (most), bounced at once, deferred and later bounced (the final
line comes many messages later, so the tracker state must survive restarts to join it with its
headers), and deferred and later delivered (no event).

    e2e/maillog.py SIZE_MB SEED PREFIX OUT_LOG OUT_EXPECT [START_EPOCH]

writes the log and a TSV of the expected bounces (email, subscriber_uuid). As a module,
``MessageStream`` hands out messages one at a time for writers that grow a live file.
"""
import random
import sys
import time
import uuid

HEX = "0123456789ABCDEF"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DOMAINS = ["gmail.example", "yahoo.example", "outlook.example", "example.org", "example.net"]
HARD = [
    ("5.1.1", "550-5.1.1 The email account that you tried to reach does not exist. Please try 550 5.1.1 again."),
    ("5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled."),
]
SOFT = [("5.2.2", "552 5.2.2 <{rcpt}>: Mailbox full, quota exceeded")]


def stamp(t: float, host: str = "mx1") -> str:
    g = time.gmtime(t)
    return f"{MONTHS[g.tm_mon - 1]} {g.tm_mday:2d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {host}"


class MessageStream:
    """Messages one at a time (a list of lines each), and the bounces they produce.

    ``prefix`` makes recipients unique across streams (one per test); ``clock`` gives each message's
    log time (real time for live writers, a synthetic clock for files written at once).
    """

    def __init__(self, seed: int, prefix: str, clock=time.time, bounce_rate: float = 0.2):
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.clock = clock
        self.bounce_rate = bounce_rate
        self.n = 0
        self.expected: dict[str, str] = {}  # bounced email -> subscriber uuid
        self.pending: list[tuple[int, str, str, str, str]] = []  # (due index, qid, rcpt, sub, kind)
        self.used_qids: set[str] = set()

    def _qid(self) -> str:
        while True:
            q = "".join(self.rng.choice(HEX) for _ in range(11))
            if q not in self.used_qids:
                self.used_qids.add(q)
                return q

    def _uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _relay(self, rcpt: str) -> str:
        return f"mx{self.rng.randint(1, 9)}.{rcpt.split('@')[1]}[192.0.2.{self.rng.randint(1, 254)}]:25"

    def _final(self, st: str, q: str, rcpt: str, sub: str, bounced: bool) -> list[str]:
        relay = self._relay(rcpt)
        d = f"delay={self.rng.randint(0, 9)}.{self.rng.randint(0, 99)}, delays=0.01/0/0.2/0.3"
        if not bounced:
            return [
                f"{st} postfix/smtp[{self.rng.randint(1000, 60000)}]: {q}: to=<{rcpt}>, relay={relay}, {d}, dsn=2.0.0, status=sent (250 2.0.0 OK {self.rng.getrandbits(40):x} - gsmtp)",
                f"{st} postfix/qmgr[900]: {q}: removed",
            ]
        dsn, text = self.rng.choice(HARD if self.rng.random() < 0.85 else SOFT)
        self.expected[rcpt] = sub
        return [
            f"{st} postfix/smtp[{self.rng.randint(1000, 60000)}]: {q}: to=<{rcpt}>, relay={relay}, {d}, dsn={dsn}, status=bounced (host {relay[:-3]} said: {text.format(rcpt=rcpt)} (in reply to RCPT TO command))",
            f"{st} postfix/bounce[{self.rng.randint(1000, 60000)}]: {q}: sender non-delivery notification: {self._qid()}",
            f"{st} postfix/qmgr[900]: {q}: removed",
        ]

    def next_message(self) -> list[str]:
        """The lines of the next message (plus any deferred message's final lines now due)."""
        i = self.n
        self.n += 1
        st = stamp(self.clock())
        q = self._qid()
        rcpt = f"r-{self.prefix}-{i}@{self.rng.choice(DOMAINS)}"
        camp, sub = self._uid(), self._uid()
        pid = self.rng.randint(1000, 60000)
        hdr = f"from localhost[127.0.0.1]; from=<bounces@lists.example> to=<{rcpt}> proto=ESMTP helo=<lists.example>"
        lines = [
            f"{st} postfix/smtpd[{pid}]: connect from localhost[127.0.0.1]",
            f"{st} postfix/smtpd[{pid}]: {q}: client=localhost[127.0.0.1]",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: message-id=<{self._uid()}@lists.example>",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: info: header X-Listmonk-Campaign: {camp} {hdr}",
            f"{st} postfix/cleanup[{pid + 1}]: {q}: info: header X-Listmonk-Subscriber: {sub} {hdr}",
            f"{st} postfix/qmgr[900]: {q}: from=<bounces@lists.example>, size={self.rng.randint(3000, 90000)}, nrcpt=1 (queue active)",
            f"{st} postfix/smtpd[{pid}]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
        ]
        r = self.rng.random()
        b = self.bounce_rate
        if r < b * 0.75:
            lines += self._final(st, q, rcpt, sub, True)
        elif r < b:
            lines += self._deferral(st, q, rcpt, i, sub, "bounce")
        elif r < b + 0.05:
            lines += self._deferral(st, q, rcpt, i, sub, "sent")
        else:
            lines += self._final(st, q, rcpt, sub, False)
        if self.rng.random() < 0.03:
            lines.append(f"{st} postfix/smtpd[{pid + 4}]: NOQUEUE: reject: RCPT from unknown[203.0.113.{self.rng.randint(1, 254)}]: 554 5.7.1 <x@lists.example>: Relay access denied; from=<spam@spam.example> to=<x@lists.example> proto=ESMTP helo=<spam.example>")
        while self.pending and self.pending[0][0] <= i:
            _, pq, prcpt, psub, kind = self.pending.pop(0)
            lines += self._final(st, pq, prcpt, psub, kind == "bounce")
        return lines

    def _deferral(self, st: str, q: str, rcpt: str, i: int, sub: str, kind: str) -> list[str]:
        relay = self._relay(rcpt)
        due = i + self.rng.randint(20, 400)
        self.pending.append((due, q, rcpt, sub, kind))
        self.pending.sort()
        return [
            f"{st} postfix/smtp[{self.rng.randint(1000, 60000)}]: {q}: to=<{rcpt}>, relay={relay}, delay=1.2, delays=0.01/0/0.2/1, dsn=4.7.28, status=deferred (host {relay[:-3]} said: 421-4.7.28 Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. (in reply to RCPT TO command))",
        ]

    def finish(self) -> list[str]:
        """The final lines of every message still deferred."""
        st = stamp(self.clock())
        lines: list[str] = []
        for _, pq, prcpt, psub, kind in self.pending:
            lines += self._final(st, pq, prcpt, psub, kind == "bounce")
        self.pending.clear()
        return lines


def write_log(path: str, size_mb: float, seed: int, prefix: str, start: float | None = None) -> dict[str, str]:
    """Writes about `size_mb` MB of log to `path` (a synthetic clock from `start`, about one message a
    second of log time, ending before now); returns the expected bounces."""
    size = int(size_mb * 1e6)
    est_messages = size // 1000 + 10
    t0 = start if start is not None else time.time() - est_messages * 0.5 - 120
    state = {"t": t0}

    def clock() -> float:
        state["t"] += 0.5
        return state["t"]

    stream = MessageStream(seed, prefix, clock=clock)
    written = 0
    with open(path, "w") as f:
        buf: list[str] = []
        while written < size:
            chunk = "\n".join(stream.next_message()) + "\n"
            buf.append(chunk)
            written += len(chunk)
            if len(buf) >= 2000:
                f.write("".join(buf))
                buf.clear()
        tail = stream.finish()
        if tail:
            buf.append("\n".join(tail) + "\n")
        f.write("".join(buf))
    return stream.expected


def main() -> None:
    size, seed, prefix, out, expect = sys.argv[1:6]
    start = float(sys.argv[6]) if len(sys.argv) > 6 else None
    expected = write_log(out, float(size), int(seed), prefix, start)
    with open(expect, "w") as f:
        for email, sub in sorted(expected.items()):
            f.write(f"{email}\t{sub}\n")
    print(f"{out}: {len(expected)} bounces", file=sys.stderr)


if __name__ == "__main__":
    main()
