/// Hand-written test mails, shaped after the RFCs' examples and the MTAs' documented report formats
/// (not copied from any corpus). Line ends are CRLF where the wire format has them.
enum Fixtures {
    static func crlf(_ s: String) -> [UInt8] {
        Array(s.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n").utf8)
    }

    static let campaign = "0f6e4bbf-1b8d-4c4e-9d7c-0c3d2a7b9e11"
    static let subscriber = "a3c1e2d4-5b6f-4a7b-8c9d-0e1f2a3b4c5d"

    /// A Postfix bounce(8) report: text part, delivery-status part, the returned original's headers.
    static let postfixDSN = crlf(
        """
        Return-Path: <>
        From: MAILER-DAEMON@mta.example.net (Mail Delivery System)
        Subject: Undelivered Mail Returned to Sender
        To: bounces@lists.example.net
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status;
         boundary="A1B2C3D4.1700000000/mta.example.net"
        Message-Id: <20261203080000.A1B2C3D4@mta.example.net>

        This is a MIME-encapsulated message.

        --A1B2C3D4.1700000000/mta.example.net
        Content-Description: Notification
        Content-Type: text/plain; charset=us-ascii

        This is the mail system at host mta.example.net.

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients.

        <nobody@example.org>: host mx.example.org[192.0.2.25] said: 550 5.1.1
            <nobody@example.org>: Recipient address rejected: User unknown in virtual
            mailbox table (in reply to RCPT TO command)

        --A1B2C3D4.1700000000/mta.example.net
        Content-Description: Delivery report
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mta.example.net
        X-Postfix-Queue-ID: A1B2C3D4
        X-Postfix-Sender: rfc822; bounces@lists.example.net
        Arrival-Date: Thu,  3 Dec 2026 08:00:00 +0000 (UTC)

        Final-Recipient: rfc822; nobody@example.org
        Original-Recipient: rfc822;nobody@example.org
        Action: failed
        Status: 5.1.1
        Remote-MTA: dns; mx.example.org
        Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address
            rejected: User unknown in virtual mailbox table

        --A1B2C3D4.1700000000/mta.example.net
        Content-Description: Undelivered Message Headers
        Content-Type: text/rfc822-headers

        Return-Path: <bounces@lists.example.net>
        From: News <news@lists.example.net>
        To: nobody@example.org
        Subject: December news
        Message-ID: <c1.s1@lists.example.net>
        X-Listmonk-Campaign: \(campaign)
        X-Listmonk-Subscriber: \(subscriber)

        --A1B2C3D4.1700000000/mta.example.net--

        """)

    /// RFC 3464 section 9.2-style report for two recipients, one failed and one delayed, with a
    /// returned message whose listmonk headers are missing but whose List-Unsubscribe URL is there.
    static let twoRecipients = crlf(
        """
        From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>
        To: bounces@lists.example.net
        Subject: Returned mail: see transcript for details
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="RAA14128.773615765/relay.example.com"

        --RAA14128.773615765/relay.example.com

        The original message was received at Thu, 3 Dec 2026 07:59:00 GMT

           ----- The following addresses had permanent fatal errors -----
        <louisl@larry.slip.example.edu>

        --RAA14128.773615765/relay.example.com
        content-type: message/delivery-status

        Reporting-MTA: dns; relay.example.com
        Arrival-Date: Thu, 3 Dec 2026 07:59:00 GMT

        Final-Recipient: RFC822; louisl@larry.slip.example.edu
        Action: failed
        Status: 4.0.0
        Diagnostic-Code: smtp; 426 connection timed out
        Last-Attempt-Date: Thu, 3 Dec 2026 08:00:00 GMT

        Final-Recipient: rfc822; slow@example.com
        Action: delayed
        Status: 4.4.1
        Will-Retry-Until: Sat, 5 Dec 2026 08:00:00 GMT

        --RAA14128.773615765/relay.example.com
        Content-Type: message/rfc822
        Content-Transfer-Encoding: base64

        \(base64Original)
        --RAA14128.773615765/relay.example.com--

        """)

    static let base64Original: String = {
        let original = """
            From: news@lists.example.net\r
            To: louisl@larry.slip.example.edu\r
            Message-ID: <orig-2@lists.example.net>\r
            List-Unsubscribe: <https://lists.example.net/subscription/\(campaign)/\(subscriber)>\r
            \r
            Hello.\r

            """
        return Base64Encoder.encode(Array(original.utf8))
    }()

    /// RFC 5965 section B.2-style feedback report.
    static let arf = crlf(
        """
        From: <abusedesk@example.com>
        Date: Thu, 3 Dec 2026 08:00:00 +0000
        Subject: FW: Earn money
        To: <abuse@lists.example.net>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report;
             boundary="part1_13d.2e68ed54_boundary"

        --part1_13d.2e68ed54_boundary
        Content-Type: text/plain; charset="US-ASCII"
        Content-Transfer-Encoding: 7bit

        This is an email abuse report for an email message received from IP
        192.0.2.1 on Thu, 3 Dec 2026 08:00:00 +0000.
        For more information about this format please see
        http://www.mipassoc.org/arf/.

        --part1_13d.2e68ed54_boundary
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: SomeGenerator/1.0
        Version: 1
        Original-Mail-From: <bounces@lists.example.net>
        Original-Rcpt-To: <user@example.com>
        Arrival-Date: Thu, 3 Dec 2026 07:00:00 +0000
        Reporting-MTA: dns; mail.example.com
        Source-IP: 192.0.2.1

        --part1_13d.2e68ed54_boundary
        Content-Type: message/rfc822
        Content-Disposition: inline

        From: <news@lists.example.net>
        Received: from mailserver.example.net (mailserver.example.net
                [192.0.2.1]) by example.com with ESMTP id M63d4137594e46;
                Thu, 3 Dec 2026 07:00:00 +0000
        To: <user@example.com>
        Subject: Earn money
        MIME-Version: 1.0
        Content-type: text/plain
        Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net
        X-Listmonk-Campaign: \(campaign)
        X-Listmonk-Subscriber: \(subscriber)
        Date: Thu, 3 Dec 2026 06:00:00 +0000

        Spam Spam Spam
        --part1_13d.2e68ed54_boundary--

        """)

    /// An out-of-office reply (RFC 3834 section 5: Auto-Submitted: auto-replied).
    static let vacation = crlf(
        """
        From: Jane Doe <jane@example.org>
        To: news@lists.example.net
        Subject: Out of Office: December news
        Auto-Submitted: auto-replied
        Content-Type: text/plain; charset=utf-8

        I am away until January and will read your mail when I am back.

        """)

    /// qmail's QSBMF (cr.yp.to/proto/qsbmf.txt): recipients in angle brackets ending in a colon, each
    /// followed by its explanation, then the copy of the message.
    static let qmail = Array(
        """
        Return-Path: <>
        From: MAILER-DAEMON@silverton.example.edu
        To: bounces@lists.example.net
        Subject: failure notice

        Hi. This is the qmail-send program at silverton.example.edu.
        I'm afraid I wasn't able to deliver your message to the following addresses.
        This is a permanent error; I've given up. Sorry it didn't work out.

        <god@heaven.example.mil>:
        This address no longer accepts mail.

        <rob@nowhere.example.org>:
        Sorry, I couldn't find any host named nowhere.example.org. (#5.1.2)

        --- Below this line is a copy of the message.

        Return-Path: <bounces@lists.example.net>
        Message-ID: <q1@lists.example.net>
        X-Listmonk-Campaign: \(campaign)
        To: god@heaven.example.mil

        Hello.

        """.utf8)

    /// Exim's plain-text bounce (Exim specification, "Bounce and warning messages").
    static let exim = Array(
        """
        From: Mail Delivery System <Mailer-Daemon@mx.example.net>
        To: bounces@lists.example.net
        Subject: Mail delivery failed: returning message to sender
        X-Failed-Recipients: nobody@example.org
        Auto-Submitted: auto-replied

        This message was created automatically by mail delivery software.

        A message that you sent could not be delivered to one or more of its
        recipients. This is a permanent error. The following address(es) failed:

          nobody@example.org
            host mx.example.org [192.0.2.25]
            SMTP error from remote mail server after RCPT TO:<nobody@example.org>:
            550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown

        ------ This is a copy of the message, including all the headers. ------

        Message-ID: <e1@lists.example.net>
        X-Listmonk-Campaign: \(campaign)
        X-Listmonk-Subscriber: \(subscriber)

        Hello.

        """.utf8)
}

/// Base64 for building fixtures (the reader's decoder is what is under test, so this one is separate).
enum Base64Encoder {
    static func encode(_ bytes: [UInt8]) -> String {
        let a = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i])
            let b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(a[b0 >> 2])
            out.append(a[(b0 & 3) << 4 | b1 >> 4])
            out.append(i + 1 < bytes.count ? a[(b1 & 15) << 2 | b2 >> 6] : "=")
            out.append(i + 2 < bytes.count ? a[b2 & 63] : "=")
            i += 3
            if i % 57 == 0 { out += "\r\n" }
        }
        return out
    }
}
