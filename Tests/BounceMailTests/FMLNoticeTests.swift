import BounceClassifier
import Testing

@testable import BounceMail

/// fml's notices to a refused poster, hand-written after the shape FML.pm describes (X-MLServer,
/// From `-admin@`, Message-ID with `.FML`, the explanation above "Original mail as follows:").
@Suite struct FMLNoticeTests {
    func verdicts(_ s: String) throws -> [MailVerdict] {
        MailVerdict.verdicts(for: try MailReader.read(Array(s.utf8)), classifier: VerdictTests.classifier)
    }

    func notice(subject: String, body: String) -> String {
        """
        From: cats-admin@lists.example.org
        To: poster@example.net
        Subject: \(subject)
        Message-ID: <20261203.0001.FML12345@lists.example.org>
        X-MLServer: fml [fml 4.0]

        \(body)

        Original mail as follows:

        From: poster@example.net
        To: cats@lists.example.org
        Message-ID: <orig-1@example.net>

        """
    }

    @Test func notAMemberIsRejectedFromTheExplanation() throws {
        let v = try verdicts(
            notice(
                subject: "Hello",
                body: """
                    You are not a member of this mailing list <cats@lists.example.org>.
                    If you know the general guide of this list, please send mail with the body "guide".
                    """))
        #expect(v.map(\.format) == ["fml"])
        #expect(v.map { $0.report?.recipient } == ["cats@lists.example.org"])
        #expect(v[0].classification?.reason == "rejected")
        #expect(v[0].classification?.rule == "mail.vendor.fml")
        #expect(v[0].report?.diagnostic.hasSuffix("with the body \"guide\".") == true)
    }

    @Test func theSubjectStatesTheReasonWhenTheExplanationDoesNot() throws {
        let v = try verdicts(
            notice(
                subject: "Loop Alert: mail from the list itself",
                body: "Your mail to <cats@lists.example.org> came back."))
        #expect(v[0].classification?.reason == "systemerror")
    }

    @Test func duplicatedMessageIDIsASystemError() throws {
        let v = try verdicts(
            notice(subject: "fml status report", body: "Duplicated Message-ID in <cats@lists.example.org>."))
        #expect(v[0].classification?.reason == "systemerror")
    }

    @Test func withoutTheListServerFieldItIsNotFML() throws {
        let mail = notice(subject: "Hello", body: "You are not a member of this mailing list <cats@lists.example.org>.")
            .replacingOccurrences(of: "X-MLServer: fml [fml 4.0]\n", with: "")
        let v = try verdicts(mail)
        #expect(v.allSatisfy { $0.format != "fml" })
    }

    @Test func aDiagnosticThatOnlyRepeatsTheAddressIsNoText() throws {
        #expect(!MailVerdict.hasWords("* user@example.org"))
        #expect(!MailVerdict.hasWords("<user@example.org>: 550 5.1.1"))
        #expect(MailVerdict.hasWords("550 5.1.1 <user@example.org>: unknown user"))
        let c = MailVerdict.classify(
            RecipientReport(recipient: "user@example.org", action: "failed", diagnostic: "* user@example.org"),
            format: "text", classifier: VerdictTests.classifier)
        #expect(c.reason == "undefined")
    }
}
