import Testing

@testable import BounceMailbox

/// The server answers the pollers act on, and the URLs they build.
@Suite struct MailboxResponsesTests {
    @Test func searchLinesGiveUIDsInOrderWithoutRepeats() {
        let text = "* SEARCH 4 9 12\r\n* OK still here\r\n* SEARCH 12 15\r\n"
        #expect(MailboxResponses.searchUIDs(Array(text.utf8)) == [4, 9, 12, 15])
        #expect(MailboxResponses.searchUIDs(Array("* SEARCH\r\n".utf8)) == [])
        #expect(MailboxResponses.searchUIDs(Array("* search 3 x 0 7\n".utf8)) == [3, 7])
    }

    @Test func aPOP3ListingGivesMessageNumbers() {
        #expect(MailboxResponses.listNumbers(Array("1 1204\r\n2 880\r\n5 77\r\n".utf8)) == [1, 2, 5])
        #expect(MailboxResponses.listNumbers(Array("+OK 2 messages\r\nnot a line\r\n3 9\r\n".utf8)) == [3])
    }

    @Test func folderNamesAreQuoted() {
        #expect(MailboxResponses.quoted("Processed") == "\"Processed\"")
        #expect(MailboxResponses.quoted(#"a "b" \c"#) == #""a \"b\" \\c""#)
    }

    @Test func endpointsSplitIntoServerAndMailbox() {
        func ep(_ url: String) -> MailboxEndpoint {
            MailboxEndpoint(url: url, username: "u", password: "p", caFile: nil, timeoutSeconds: 5)
        }
        #expect(ep("imaps://mail.example.org:993/INBOX").root == "imaps://mail.example.org:993/")
        #expect(ep("imaps://mail.example.org:993/INBOX").path == "INBOX")
        #expect(ep("imaps://mail.example.org/Bounces/In/").path == "Bounces/In")
        #expect(ep("pop3s://mail.example.org").root == "pop3s://mail.example.org/")
        #expect(ep("pop3s://mail.example.org").path == "")
    }

    @Test func messagesNeverShowAUserPartOfAURL() {
        #expect(CurlSession.redacted("imaps://bob:secret@mail.example.org/INBOX") == "imaps://mail.example.org/INBOX")
        #expect(CurlSession.redacted("imaps://mail.example.org/a@b") == "imaps://mail.example.org/a@b")
    }
}
