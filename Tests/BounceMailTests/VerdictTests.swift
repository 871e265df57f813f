import BounceClassifier
import BounceCore
import Testing

@testable import BounceMail

@Suite struct VerdictTests {
    static let classifier: Classifier = {
        // The embedded default set; a failure to load it is a build defect the classifier tests report.
        Classifier(set: try! PatternLoader.embeddedDefault())
    }()

    func verdicts(_ mail: [UInt8]) throws -> [MailVerdict] {
        MailVerdict.verdicts(for: try MailReader.read(mail), classifier: Self.classifier)
    }

    @Test func failedRecipientIsAHardUserUnknownBounce() throws {
        let v = try verdicts(Fixtures.postfixDSN)
        #expect(v.count == 1)
        #expect(v[0].kind == .bounce)
        #expect(v[0].classification?.reason == "userunknown")
        #expect(v[0].classification?.type == .hard)
    }

    @Test func delayedRecipientIsCountedWithoutAnEvent() throws {
        let v = try verdicts(Fixtures.twoRecipients)
        #expect(v.map(\.kind) == [.bounce, .delayed])
        #expect(v[0].classification != nil)
        #expect(v[1].classification == nil)
        #expect(v[1].note?.contains("delay") == true)
    }

    @Test func complaintHasTypeComplaintAndReasonFeedback() throws {
        let v = try verdicts(Fixtures.arf)
        #expect(v.map(\.kind) == [.complaint])
        #expect(v[0].classification?.type == .complaint)
        #expect(v[0].classification?.reason == "feedback")
        #expect(v[0].feedbackType == "abuse")
    }

    @Test func autoReplyHasNoType() throws {
        let v = try verdicts(Fixtures.vacation)
        #expect(v.map(\.kind) == [.autoReply])
        #expect(v[0].classification == nil)
    }

    @Test func qmailWordingGivesTheVendorReason() throws {
        let v = try verdicts(Fixtures.qmail)
        #expect(v.count == 2)
        #expect(v[1].classification?.reason == "hostunknown")
        #expect(v[1].classification?.type == .hard)
    }

    @Test func jsonRecordCarriesTheDocumentedFields() throws {
        let v = try verdicts(Fixtures.postfixDSN)
        let json = v[0].json(mail: "m.eml")
        for key in [
            "mail", "kind", "format", "recipient", "type", "reason", "fault", "action", "dsn", "dsn_action",
            "reply_code", "smtp_stage", "remote_host", "diagnostic", "message_id", "campaign_uuid",
            "subscriber_uuid", "rule", "evidence",
        ] {
            #expect(json.contains("\"\(key)\":"), "missing \(key)")
        }
        #expect(json.contains("\"reply_code\":550"))
        #expect(json.contains("\"smtp_stage\":\"RCPT\""))
        #expect(json.contains("\"campaign_uuid\":\"\(Fixtures.campaign)\""))
    }

    @Test func mailWithoutRecipientsPrintsOneRecordSayingWhy() throws {
        let v = try verdicts(Array("From: friend@example.org\nSubject: hi\n\nhello\n".utf8))
        #expect(v.count == 1)
        #expect(v[0].kind == .unknown)
        #expect(v[0].classification == nil)
        #expect(v[0].json(mail: "x").contains("\"type\":null"))
    }
}
