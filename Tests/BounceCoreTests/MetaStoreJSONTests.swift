import Foundation
import Testing

@testable import BounceCore

/// `BounceEvent.Meta.storeJSON()` must write the very bytes the local store wrote with `JSONEncoder`, so
/// rows written before and after read alike and compare equal.
@Suite("Meta JSON for the local store")
struct MetaStoreJSONTests {
    static func foundationJSON(_ meta: BounceEvent.Meta) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(meta), as: UTF8.self)
    }

    @Test func everyFieldSetMatchesJSONEncoder() throws {
        let meta = BounceEvent.Meta(
            reason: "userunknown", fault: .recipient, action: .hold, status: "bounced", dsn: "5.1.1",
            replyCode: 550, smtpStage: .rcpt, remoteHost: "mx.example.com", mta: .postfix, host: "mx1.example.net",
            queueID: "ABC123", messageID: "<a/b\"c@lists>",
            diagnostic: "550 5.1.1 <x@y>: \"User\" unknown \\ a/b\ttab \u{1} grüße ✓",
            rule: "postfix.userunknown", evidence: "User unknown", sender: "news@lists.example.org",
            holdReason: "too-old", note: "a note")
        #expect(meta.storeJSON() == (try Self.foundationJSON(meta)))
    }

    @Test func absentFieldsAreLeftOutAsJSONEncoderDid() throws {
        let meta = BounceEvent.Meta(
            reason: "expired", fault: .unknown, action: .forward, status: "expired", dsn: nil, replyCode: nil,
            smtpStage: nil, remoteHost: nil, mta: .exim, host: "h", queueID: "1aBcDe-000001-XY", messageID: nil,
            diagnostic: nil, rule: "", evidence: "", sender: nil)
        let json = meta.storeJSON()
        #expect(json == (try Self.foundationJSON(meta)))
        #expect(!json.contains("dsn"))
        #expect(try JSONDecoder().decode(BounceEvent.Meta.self, from: Data(json.utf8)) == meta)
    }
}
