#!/usr/bin/env python3
"""Writes the bounce mails the mail-inputs root-suite step reads, one file each (written for this
suite; nothing here comes from a public corpus): an MTA's DSN for an unknown user with the returned
original's listmonk headers, a mailbox-full DSN, a delay warning (no event), an ARF complaint, an
out-of-office reply (no event), and N generated DSNs with distinct recipients and report ids.

usage: mail_fixtures.py OUTDIR [--generated N]
"""
import argparse
import os
import zlib

CAMPAIGN = "0f6e4bbf-1b8d-4c4e-9d7c-0c3d2a7b9e11"


def subscriber(i):
    return "a3c1e2d4-5b6f-4a7b-8c9d-%012x" % i


def dsn(report_id, recipient, status, action, diagnostic, sub):
    return f"""Return-Path: <>
From: MAILER-DAEMON@mail.lab.test (Mail Delivery System)
To: bounces@lists.lab.test
Subject: Undelivered Mail Returned to Sender
Date: Thu, 03 Dec 2026 10:00:00 +0000
Message-Id: <{report_id}@mail.lab.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R-{report_id}"

--R-{report_id}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.lab.test.

<{recipient}>: host mx.remote.test[192.0.2.25] said: {diagnostic} (in reply to RCPT TO command)

--R-{report_id}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.lab.test
X-Postfix-Queue-ID: 4Q{zlib.crc32(report_id.encode()) % 10**8:08d}
Arrival-Date: Thu, 03 Dec 2026 09:59:58 +0000

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.remote.test
Diagnostic-Code: smtp; {diagnostic}

--R-{report_id}
Content-Type: text/rfc822-headers

From: News <news@lists.lab.test>
To: <{recipient}>
Subject: December news
Message-ID: <orig-{report_id}@lists.lab.test>
X-Listmonk-Campaign: {CAMPAIGN}
X-Listmonk-Subscriber: {sub}

--R-{report_id}--
"""


ARF = f"""From: fbl@isp.remote.test
To: bounces@lists.lab.test
Subject: FW: December news
Date: Thu, 03 Dec 2026 11:00:00 +0000
Message-Id: <arf-1@isp.remote.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F1"

--F1
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.10.

--F1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: RemoteFBL/1.0
Version: 1
Original-Mail-From: <bounces@lists.lab.test>
Original-Rcpt-To: <complainer@isp.remote.test>
Source-IP: 192.0.2.10

--F1
Content-Type: message/rfc822

From: News <news@lists.lab.test>
To: complainer@isp.remote.test
Subject: December news
Message-ID: <orig-arf@lists.lab.test>
X-Listmonk-Campaign: {CAMPAIGN}
X-Listmonk-Subscriber: {subscriber(999)}

Hello.
--F1--
"""

AUTO_REPLY = """From: Jane <jane@remote.test>
To: bounces@lists.lab.test
Subject: Out of office: December news
Date: Thu, 03 Dec 2026 12:00:00 +0000
Message-Id: <ooo-1@remote.test>
Auto-Submitted: auto-replied

I am away until January.
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--generated", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    mails = {
        "01-userunknown.eml": dsn("r-unknown", "gone@remote.test", "5.1.1", "failed",
                                  "550 5.1.1 <gone@remote.test>: Recipient address rejected: User unknown", subscriber(1)),
        "02-mailboxfull.eml": dsn("r-full", "full@remote.test", "5.2.2", "failed",
                                  "552 5.2.2 Mailbox full, quota exceeded", subscriber(2)),
        "03-delayed.eml": dsn("r-delay", "slow@remote.test", "4.4.1", "delayed",
                              "421 4.4.1 Connection timed out", subscriber(3)),
        "04-complaint.eml": ARF,
        "05-autoreply.eml": AUTO_REPLY,
    }
    texts = [
        "550 5.1.1 The email account that you tried to reach does not exist",
        "552 5.2.2 The recipient's mailbox is full",
        "550 5.7.1 Message rejected as spam by content filter",
    ]
    statuses = ["5.1.1", "5.2.2", "5.7.1"]
    for i in range(args.generated):
        k = i % 3
        mails[f"g{i:04d}.eml"] = dsn(f"r-gen-{i}", f"gen{i:04d}@remote.test", statuses[k], "failed", texts[k],
                                     subscriber(1000 + i))
    for name, text in mails.items():
        with open(os.path.join(args.outdir, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
