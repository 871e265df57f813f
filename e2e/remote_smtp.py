#!/usr/bin/env python3
"""A scripted remote SMTP server for bouncetail's end-to-end tests.

It answers each recipient according to the local part before the first '+', so the real
Postfix and Exim under test log every kind of delivery outcome. Loopback only.

usage: remote_smtp.py ADDRESS PORT [ADDRESS PORT ...]
"""
import asyncio
import sys
import time

# The first attempt time of each greylisted recipient: greylisting accepts after GREY_DELAY s.
GREY_FIRST = {}
GREY_DELAY = 15

GOOGLE_UNKNOWN = [
    "550-5.1.1 The email account that you tried to reach does not exist. Please try",
    "550-5.1.1 double-checking the recipient's email address for typos or",
    "550 5.1.1 unnecessary spaces. https://support.example/mail/?p=NoSuchUser x1-test - gsmtp",
]


def rcpt_answer(addr: str):
    """The reply lines to RCPT TO for one address, or None to accept."""
    local = addr.split("@", 1)[0].lower().split("+", 1)[0]
    if local == "user-unknown":
        return [f"550 5.1.1 <{addr}>: Recipient address rejected: User unknown in local recipient table"]
    if local == "gmail-unknown":
        return GOOGLE_UNKNOWN
    if local == "nosuchuser":
        return ["550 No such user here"]
    if local == "moved":
        return ["551 5.1.6 User has moved; please try <new@elsewhere.test>"]
    if local == "disabled":
        return ["550 5.2.1 The email account that you tried to reach is disabled"]
    if local == "mailboxfull":
        return ["552 5.2.2 Mailbox full: the recipient's mailbox is over its storage quota"]
    if local == "quota":
        return ["452 4.2.2 The email account that you tried to reach is over quota"]
    if local == "blocked":
        return ["554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"]
    if local == "tempfail":
        return [f"451 4.3.0 <{addr}>: Temporary lookup failure"]
    if local == "greylist":
        first = GREY_FIRST.setdefault(addr.lower(), time.monotonic())
        if time.monotonic() - first < GREY_DELAY:
            return [f"450 4.7.1 <{addr}>: Recipient address rejected: Greylisted, please try again later"]
        return None
    return None


def data_answer(rcpts):
    """The reply to the end of DATA: spam traps reject the whole message."""
    for addr in rcpts:
        if addr.split("@", 1)[0].lower().split("+", 1)[0] == "spam":
            return ["554 5.7.1 Message rejected as spam by content filter"]
    return ["250 2.0.0 Ok: queued as R%08X" % (int(time.time() * 1000) & 0xFFFFFFFF)]


async def session(reader, writer):
    async def send(lines):
        writer.write("".join(l + "\r\n" for l in lines).encode())
        await writer.drain()

    await send(["220 remote.test ESMTP scripted"])
    rcpts = []
    try:
        while True:
            raw = await asyncio.wait_for(reader.readline(), 60)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                await send(["250-remote.test", "250-PIPELINING", "250 8BITMIME"] if verb == "EHLO" else ["250 remote.test"])
            elif verb == "MAIL":
                rcpts = []
                if "sender-rejected" in line.lower():
                    await send(["553 5.1.8 <sender-rejected@lab.test>: Sender address rejected: Domain not found"])
                else:
                    await send(["250 2.1.0 Ok"])
            elif verb == "RCPT":
                addr = line.split(":", 1)[1].strip().strip("<>").split(">")[0]
                answer = rcpt_answer(addr)
                if answer is None:
                    rcpts.append(addr)
                    await send(["250 2.1.5 Ok"])
                else:
                    await send(answer)
            elif verb == "DATA":
                if not rcpts:
                    await send(["554 5.5.1 Error: no valid recipients"])
                    continue
                await send(["354 End data with <CR><LF>.<CR><LF>"])
                while True:
                    body = await asyncio.wait_for(reader.readline(), 60)
                    if not body or body in (b".\r\n", b".\n"):
                        break
                await send(data_answer(rcpts))
                rcpts = []
            elif verb == "RSET":
                rcpts = []
                await send(["250 2.0.0 Ok"])
            elif verb == "QUIT":
                await send(["221 2.0.0 Bye"])
                return
            elif verb == "NOOP":
                await send(["250 2.0.0 Ok"])
            else:
                await send(["502 5.5.2 Error: command not recognized"])
    except (asyncio.TimeoutError, ConnectionError):
        return
    finally:
        writer.close()


async def main(pairs):
    servers = [await asyncio.start_server(session, host, int(port)) for host, port in pairs]
    print("remote_smtp listening on " + ", ".join(f"{h}:{p}" for h, p in pairs), flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__)
    asyncio.run(main(list(zip(args[0::2], args[1::2]))))
