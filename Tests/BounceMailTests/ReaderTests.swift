import Testing

@testable import BounceMail

@Suite struct ReaderTests {
    @Test func postfixReportGivesOneFailedRecipientWithItsIdentity() throws {
        let r = try MailReader.read(Fixtures.postfixDSN)
        #expect(r.format == "rfc3464")
        #expect(r.recipients.count == 1)
        let rec = try #require(r.recipients.first)
        #expect(rec.recipient == "nobody@example.org")
        #expect(rec.action == "failed")
        #expect(rec.status == "5.1.1")
        #expect(rec.diagnosticType == "smtp")
        #expect(rec.diagnostic.hasPrefix("550 5.1.1 <nobody@example.org>: Recipient address rejected"))
        #expect(rec.remoteMTA == "mx.example.org")
        #expect(rec.reportingMTA == "mta.example.net")
        #expect(rec.queueID == "A1B2C3D4")
        // Postfix names the command only in its text part.
        #expect(rec.smtpCommand == "RCPT")
        #expect(r.original.messageID == "c1.s1@lists.example.net")
        #expect(r.original.campaignUUID == Fixtures.campaign)
        #expect(r.original.subscriberUUID == Fixtures.subscriber)
        #expect(!r.isAutoReply)
    }

    @Test func perRecipientGroupsAndListUnsubscribeFallback() throws {
        let r = try MailReader.read(Fixtures.twoRecipients)
        #expect(r.recipients.map(\.recipient) == ["louisl@larry.slip.example.edu", "slow@example.com"])
        #expect(r.recipients.map(\.action) == ["failed", "delayed"])
        #expect(r.recipients.map(\.status) == ["4.0.0", "4.4.1"])
        #expect(r.recipients.allSatisfy { $0.reportingMTA == "relay.example.com" })
        #expect(r.original.messageID == "orig-2@lists.example.net")
        #expect(r.original.campaignUUID == Fixtures.campaign)
        #expect(r.original.subscriberUUID == Fixtures.subscriber)
    }

    @Test func feedbackReportIsAComplaintAboutItsRecipient() throws {
        let r = try MailReader.read(Fixtures.arf)
        #expect(r.format == "arf")
        #expect(r.feedback?.feedbackType == "abuse")
        #expect(r.recipients.map(\.recipient) == ["user@example.com"])
        #expect(r.original.campaignUUID == Fixtures.campaign)
    }

    @Test func outOfOfficeIsAnAutoReply() throws {
        let r = try MailReader.read(Fixtures.vacation)
        #expect(r.isAutoReply)
        #expect(r.format == "rfc3834")
    }

    @Test func qmailReportNamesEachRecipientWithItsExplanation() throws {
        let r = try MailReader.read(Fixtures.qmail)
        #expect(r.format == "qmail")
        #expect(r.recipients.map(\.recipient) == ["god@heaven.example.mil", "rob@nowhere.example.org"])
        #expect(r.recipients[0].diagnostic == "This address no longer accepts mail.")
        #expect(r.recipients[1].status == "5.1.2")
        #expect(r.original.messageID == "q1@lists.example.net")
    }

    @Test func eximReportReadsTheIndentedBlock() throws {
        let r = try MailReader.read(Fixtures.exim)
        #expect(r.format == "exim")
        let rec = try #require(r.recipients.first)
        #expect(r.recipients.count == 1)
        #expect(rec.recipient == "nobody@example.org")
        #expect(rec.status == "5.1.1")
        #expect(rec.smtpCommand == "RCPT")
        #expect(rec.diagnostic.contains("User unknown"))
        #expect(r.original.subscriberUUID == Fixtures.subscriber)
    }

    @Test func plainMailIsNotABounce() throws {
        let r = try MailReader.read(Array("From: friend@example.org\nSubject: hi\n\nsee you at bob@example.org\n".utf8))
        #expect(r.format == "none")
        #expect(r.recipients.isEmpty)
        #expect(r.note != nil)
    }
}
