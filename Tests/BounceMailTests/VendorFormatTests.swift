import BounceClassifier
import Testing

@testable import BounceMail

/// Reports with no delivery-status part, in vendors' own shapes (hand-written after the formats the
/// cited Sisimai modules and the vendors' documentation describe).
@Suite struct VendorFormatTests {
    func verdicts(_ s: String) throws -> [MailVerdict] {
        MailVerdict.verdicts(for: try MailReader.read(Array(s.utf8)), classifier: VerdictTests.classifier)
    }

    @Test func sesComplaintNotificationIsAComplaint() throws {
        // SES's complaint event (docs.aws.amazon.com/ses "Amazon SNS notification contents"), folded by
        // SNS with "!" at the line end.
        let v = try verdicts(
            """
            From: no-reply@sns.amazonaws.com
            Subject: AWS Notification Message
            X-Amz-Sns-Message-Id: 1b2c3d4e

            {"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"user@exa!
             mple.com"}],"complaintFeedbackType":"abuse","userAgent":"Mailbox"},"mail":{"messageId":"0101abc",!
             "headers":[{"name":"X-Listmonk-Subscriber","value":"\(Fixtures.subscriber)"}]}}

            --
            If you wish to stop receiving notifications from this topic, please click the link below.

            """)
        #expect(v.map(\.kind) == [.complaint])
        #expect(v[0].report?.recipient == "user@example.com")
        #expect(v[0].classification?.type == .complaint)
        #expect(v[0].feedbackType == "abuse")
        #expect(v[0].original.subscriberUUID == Fixtures.subscriber)
        #expect(v[0].original.messageID == "0101abc")
    }

    @Test func sesTransientMailboxFullStatesItsReason() throws {
        let v = try verdicts(
            """
            From: no-reply@sns.amazonaws.com
            X-Amz-Sns-Message-Id: 1b2c3d4f

            {"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull","bouncedRecipients":[{"emailAddress":"full@example.com","action":"failed","status":"5.2.2","diagnosticCode":"smtp; 552 5.2.2 full"}]},"mail":{"messageId":"0102"}}

            """)
        #expect(v.map(\.kind) == [.bounce])
        #expect(v[0].classification?.reason == "mailboxfull")
        #expect(v[0].report?.status == "5.2.2")
        #expect(v[0].report?.diagnostic == "552 5.2.2 full")
    }

    /// Sisimai counts lines matching /^[ ]?[*][ ]?/: the "** Message blocked **" title and three reasons.
    @Test func googleGroupsNoticeNamesTheGroupFromItsHeader() throws {
        let v = try verdicts(
            """
            From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
            Subject: Delivery Status Notification (Failure)
            X-Failed-Recipients: team@googlegroups.com
            X-Google-Smtp-Source: abc

            ** Message blocked **

            Your message to team@googlegroups.com has been blocked. See technical details below.

            The error that the other server returned was:
            * You do not have permission to post
            * The group does not accept mail from outside
            * The message was considered spam

            """)
        #expect(v.map(\.format) == ["googlegroups"])
        #expect(v[0].report?.recipient == "team@googlegroups.com")
        #expect(v[0].classification?.reason == "rejected")
    }

    @Test func sendmailTranscriptLineWithLeadingCodeNamesTheRecipient() throws {
        // V5 Sendmail: no DSN part; "554 <addr>... reason" in the transcript.
        let v = try verdicts(
            """
            From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>
            Subject: Returned mail: Host unknown
            To: sender@example.net

               ----- Transcript of session follows -----
            554 <user@nowhere.example.org>... 550 Host unknown (Authoritative answer from name server)

               ----- Unsent message follows -----
            To: user@nowhere.example.org

            """)
        #expect(v.map { $0.report?.recipient } == ["user@nowhere.example.org"])
        #expect(v[0].kind == .bounce)
        #expect(v[0].format == "sendmail")
    }

    @Test func sentenceEndingInAnAddressIsNotARecipient() throws {
        let v = try verdicts(
            """
            From: MAILER-DAEMON@mx.example.net
            Subject: Undelivered Mail Returned to Sender

            If you need help, write to our desk at<help@example.net>
            <gone@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown user

            """)
        #expect(v.map { $0.report?.recipient } == ["gone@example.org"])
    }

    @Test func apacheJamesErrorBlockIsTheDiagnosticAndItsDetailsAreNoCommand() throws {
        // ApacheJames.pm (after James's AbstractNotify.java): "Error message below:", the error, then
        // "Message details:" with the original's MAIL FROM and RCPT TO.
        let v = try verdicts(
            """
            From: postmaster@james.example.com
            Subject: [BOUNCE]
            Message-ID: <1.2.JavaMail.james@james.example.com>

            Hi. This is the James mail server at james.example.com.
            I'm afraid I wasn't able to deliver your message to the following addresses.

            Error message below:
            550 - Requested action not taken: no such user here

            Message details:
              Subject: Hello
              Sent date: Thu Dec 03 02:21:53 GMT 2026
              MAIL FROM: sender@example.net
              RCPT TO: gone@example.org
              From: sender@example.net
              Size (in bytes): 39

            """)
        #expect(v.map { $0.report?.recipient } == ["gone@example.org"])
        #expect(v[0].report?.diagnostic == "Error message below: 550 - Requested action not taken: no such user here")
        #expect(v[0].report?.smtpCommand == nil)
        #expect(v[0].classification?.reason == "filtered")
    }
}
