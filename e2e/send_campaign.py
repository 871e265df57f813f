#!/usr/bin/env python3
"""Send a small listmonk-style campaign through a real MTA over SMTP and write the expectations.

usage: send_campaign.py HOST PORT TAG EXPECT_TSV

Every message carries X-Listmonk-Campaign / X-Listmonk-Subscriber headers, as listmonk's do.
EXPECT_TSV gets one row per recipient: email, subscriber uuid, expected outcome
(none | bounced | expired), expected type, the accepted reasons (comma-separated), expected action.
"""
import smtplib
import sys
import uuid
from email.message import EmailMessage

CAMPAIGN = "5f0c8a52-6a0e-4c41-9d35-3f7f2b1e9a10"

# local part -> (outcome, type, accepted reasons, action); domain defaults to example.net
CASES = [
    ("ok", "none", "", "", ""),
    ("greylist", "none", "", "", ""),
    ("user-unknown", "bounced", "hard", "userunknown", "forward"),
    ("gmail-unknown", "bounced", "hard", "userunknown", "forward"),
    ("nosuchuser", "bounced", "hard", "userunknown", "forward"),
    ("moved", "bounced", "hard", "hasmoved", "forward"),
    ("disabled", "bounced", "soft", "suspend,filtered", "forward"),
    ("mailboxfull", "bounced", "soft", "mailboxfull", "forward"),
    ("blocked", "bounced", "soft", "blocked,badreputation", "hold"),
    ("spam", "bounced", "soft", "spamdetected", "hold"),
    ("quota", "expired", "soft", "mailboxfull", "forward"),
    ("tempfail", "expired", "soft", "systemerror,networkerror,expired", "forward"),
    ("refused@refused.test", "expired", "soft", "networkerror,expired", "forward"),
]


def main():
    host, port, tag, expect_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rows = []
    with smtplib.SMTP(host, port, local_hostname="listmonk.lab.test", timeout=30) as smtp:
        for i, (local, outcome, btype, reasons, action) in enumerate(CASES):
            if "@" in local:
                lp, domain = local.split("@", 1)
            else:
                lp, domain = local, "example.net"
            rcpt = f"{lp}+{tag}{i:02d}@{domain}"
            sub = str(uuid.uuid5(uuid.NAMESPACE_URL, rcpt))
            msg = EmailMessage()
            msg["From"] = "Newsletter <news@lab.test>"
            msg["To"] = rcpt
            msg["Subject"] = f"Campaign test {tag} {i}"
            msg["Message-ID"] = f"<{uuid.uuid4()}@listmonk.lab.test>"
            msg["X-Listmonk-Campaign"] = CAMPAIGN
            msg["X-Listmonk-Subscriber"] = sub
            msg.set_content("Hello from the end-to-end test.\n")
            smtp.send_message(msg, from_addr="bounces@lab.test", to_addrs=[rcpt])
            rows.append((rcpt.lower(), sub, outcome, btype, reasons, action))
        # A personal message without listmonk headers to a dead address: a bounce, but no listmonk ids.
        rcpt = f"user-unknown+{tag}personal@example.net"
        msg = EmailMessage()
        msg["From"] = "Postmaster <postmaster@lab.test>"
        msg["To"] = rcpt
        msg["Subject"] = "personal"
        msg.set_content("personal\n")
        smtp.send_message(msg, from_addr="postmaster@lab.test", to_addrs=[rcpt])
        rows.append((rcpt.lower(), "", "bounced", "hard", "userunknown", "forward"))
    with open(expect_path, "w") as f:
        f.write("email\tsubscriber_uuid\toutcome\ttype\treasons\taction\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"sent {len(rows)} messages through {host}:{port}")


if __name__ == "__main__":
    main()
