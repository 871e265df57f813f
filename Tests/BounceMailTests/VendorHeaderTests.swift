import BounceClassifier
import Testing

@testable import BounceMail

/// Reports named by their header fields (Sisimai's lhost guards) and the reasons their vendors' own
/// sentences state; local delivery agents' sentences in reports no vendor reader takes. Hand-written
/// after the formats the cited Sisimai modules describe.
@Suite struct VendorHeaderTests {
    func verdicts(_ s: String) throws -> [MailVerdict] {
        MailVerdict.verdicts(for: try MailReader.read(Array(s.utf8)), classifier: VerdictTests.classifier)
    }

    /// A delivery-status report around a text part, with the given header fields and sentence.
    func dsnMail(headers: String, text: String, status: String = "5.0.0", diagnostic: String? = nil) -> String {
        """
        \(headers)
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: text/plain; charset=us-ascii

        \(text)

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.net

        Final-Recipient: rfc822; gone@example.org
        Action: failed
        Status: \(status)
        \(diagnostic.map { "Diagnostic-Code: smtp; \($0)" } ?? "")

        --b1--

        """
    }

    @Test func googleWorkspaceAddressNotFoundIsUserUnknownAtNoStage() throws {
        // GSuite.pm: From mailer-daemon@googlemail.com, "Delivery Status Notification", X-Gm-Message-State;
        // its sentence "because the address couldn't be found..." states userunknown, which wins over the
        // pattern set's `filtered` for an unknown-user text at no stage.
        let v = try verdicts(
            dsnMail(
                headers: """
                    From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                    Subject: Delivery Status Notification (Failure)
                    X-Gm-Message-State: AbCdEf
                    """,
                text:
                    "Your message wasn't delivered to gone@example.org because the address couldn't be found. Check for typos or unnecessary spaces and try again."
            ))
        #expect(v.map(\.format) == ["gsuite"])
        #expect(v[0].classification?.reason == "userunknown")
        #expect(v[0].classification?.type == .hard)
        #expect(v[0].classification?.rule == "mail.phrase.gsuite")
    }

    @Test func theSameSentenceWithoutGoogleHeadersIsNotGSuite() throws {
        let v = try verdicts(
            dsnMail(
                headers: """
                    From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                    Subject: Delivery Status Notification (Failure)
                    """,
                text: "Your message wasn't delivered."))
        #expect(v.map(\.format) != ["gsuite"])
    }

    @Test func aolNameServerReplyIsNotAccept() throws {
        // Aol.pm: X-AOL-IP; "type=MX: Malformed or unexpected name server reply" states notaccept.
        let v = try verdicts(
            dsnMail(
                headers: """
                    From: MAILER-DAEMON@aol.example.com (Mail Delivery System)
                    Subject: Undelivered Mail Returned to Sender
                    X-AOL-IP: 192.0.2.10
                    """,
                text: "<gone@example.org>: delivery failed", status: "5.4.4",
                diagnostic: "Name service error for name=example.org type=MX: Malformed or unexpected name server reply"
            ))
        #expect(v.map(\.format) == ["aol"])
        #expect(v[0].classification?.reason == "notaccept")
        #expect(v[0].classification?.type == .hard)
    }

    @Test func notesFailureReasonIsUserUnknown() throws {
        // Notes.pm: Subject "Undeliverable message", "------- Failure Reasons --------".
        let v = try verdicts(
            """
            From: POSTMASTER@gw.example.com
            Subject: Undeliverable message
            To: sender@example.net

            ------- Failure Reasons  --------

            User not listed in public Name & Address Book
            gone@example.org

            ------- Returned Message --------
            From: sender@example.net

            """)
        #expect(v.map(\.format) == ["notes"])
        #expect(v.map { $0.report?.recipient } == ["gone@example.org"])
        #expect(v[0].classification?.reason == "userunknown")
    }

    @Test func iMailUnknownUserIsUserUnknownOnlyInItsOwnReports() throws {
        // IMailServer.pm: X-Mailer "<SMTP32 v...>"; "Unknown user: <address>".
        let imail = try verdicts(
            """
            From: "Postmaster" <postmaster@example.org>
            Subject: Undeliverable Mail
            X-Mailer: <SMTP32 v8.22>

            Unknown user: gone@example.org

            Original message follows.

            """)
        #expect(imail.map(\.format) == ["imailserver"])
        #expect(imail[0].classification?.reason == "userunknown")
        #expect(imail[0].classification?.rule == "mail.phrase.imailserver")
        // The same short phrase elsewhere is left to the pattern set.
        #expect(VendorPhrases.match("Unknown user: gone@example.org", format: "text") == nil)
    }

    @Test func headerGuardsNeverMakeAPersonsMailABounce() throws {
        // An ordinary mail from an AOL user carries X-AOL-IP too.
        let v = try verdicts(
            """
            From: friend@aol.example.com
            To: me@example.net
            Subject: lunch?
            X-AOL-IP: 192.0.2.10

            Write to gone@example.org about it.

            """)
        #expect(v.allSatisfy { $0.classification == nil })
    }

    @Test func mailLocalUnknownUserInAFallbackReportIsUserUnknown() throws {
        // MDA.pm: "mail.local: " in a mailer daemon's report, ": unknown user:" states userunknown.
        let v = try verdicts(
            dsnMail(
                headers: """
                    From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>
                    Subject: Returned mail: Service unavailable
                    """,
                text: """
                       ----- Transcript of session follows -----
                    mail.local: unknown user: gone
                    554 <gone@example.org>... Service unavailable
                    """, status: "5.5.0"))
        #expect(v[0].classification?.reason == "userunknown")
        #expect(v[0].classification?.rule == "mail.mda.mail.local")
        #expect(v[0].report?.diagnostic.contains("mail.local: unknown user: gone") == true)
    }

    @Test func deliveryAgentSentencesNeedAMailerDaemonAndNoVendorReader() throws {
        let text = """
               ----- Transcript of session follows -----
            maildrop: maildir over quota.
            550 5.0.0 <gone@example.org>... Insufficient permission
            """
        let fallback = dsnMail(
            headers: "From: MAILER-DAEMON@mx.example.net\nSubject: Returned mail: see log", text: text)
        let sendmail = dsnMail(
            headers: "From: MAILER-DAEMON@mx.example.net\nSubject: Returned mail: see transcript for details",
            text: text)
        let person = dsnMail(headers: "From: friend@example.net\nSubject: Returned mail: see log", text: text)
        #expect(try verdicts(fallback)[0].classification?.rule == "mail.mda.maildrop")
        #expect(try verdicts(fallback)[0].classification?.reason == "mailboxfull")
        #expect(try verdicts(sendmail)[0].classification?.rule.hasPrefix("mail.mda") == false)
        #expect(try verdicts(person)[0].classification?.rule.hasPrefix("mail.mda") == false)
    }

    @Test func ownVendorsEntryComesFirst() {
        // Notes.pm and Domino.pm list the same sentence; a Notes report names Notes.
        let s = "User not listed in public Name & Address Book"
        #expect(VendorPhrases.match(s, format: "notes")?.source == "Notes")
        #expect(VendorPhrases.match("not listed in public Name & Address Book", format: "domino")?.source == "Domino")
    }
}
