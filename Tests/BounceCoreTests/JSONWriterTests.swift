import BounceCore
import Foundation
import Testing

@Suite("JSON output")
struct JSONWriterTests {
    @Test("escaping round-trips through a real JSON decoder")
    func escaping() throws {
        let tricky = "quote\" backslash\\ nl\n tab\t cr\r nul\u{0} bell\u{7} é 🙂 </script>"
        var w = JSONWriter()
        w.objectStart()
        w.field("s", tricky)
        w.field("n", -1234567890123)
        w.field("z", 0)
        w.field("b", true)
        w.field("none", nil as String?)
        w.key("arr")
        w.arrayStart()
        w.value(1)
        w.value("x")
        w.arrayEnd()
        w.objectEnd()
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: Any])
        #expect(obj["s"] as? String == tricky)
        #expect((obj["n"] as? NSNumber)?.int64Value == -1234567890123)
        #expect((obj["z"] as? NSNumber)?.intValue == 0)
        #expect(obj["b"] as? Bool == true)
        #expect(obj["none"] is NSNull)
        #expect((obj["arr"] as? [Any])?.count == 2)
    }

    @Test("a delivery line prints kind, snake_case fields, raw and normalised status")
    func deliveryJSON() throws {
        let p = parseLine(
            "Nov 20 08:14:02 relay7 postfix/smtp[4410]: 5C0DE27A13: to=<dave@example.org>, relay=mx2.example.org[198.51.100.9]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=4.2.0, status=SOFTBOUNCE (host mx2.example.org[198.51.100.9] said: 550 5.1.1 no (in reply to RCPT TO command))"
        )
        var w = JSONWriter()
        p.writeJSON(to: &w)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: Any])
        #expect(obj["kind"] as? String == "delivery")
        #expect(obj["raw_status"] as? String == "SOFTBOUNCE")
        #expect(obj["status"] as? String == "deferred")
        #expect(obj["queue_id"] as? String == "5C0DE27A13")
        #expect(obj["smtp_stage"] as? String == "RCPT")
        #expect((obj["reply_code"] as? NSNumber)?.intValue == 550)
        #expect(obj["time"] as? String == "2026-11-20T08:14:02Z")
        #expect(obj["orig_to"] is NSNull)
        var o = JSONWriter()
        parseLine("nothing to see").writeJSON(to: &o)
        #expect(o.string == #"{"kind":"other"}"#)
    }

    @Test("times print as RFC 3339 UTC with microseconds when present")
    func times() {
        #expect(LogTime(seconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(LogTime(microseconds: 1_796_083_200_000_001).rfc3339 == "2026-12-01T00:00:00.000001Z")
        #expect(LogTime(seconds: -1).rfc3339 == "1969-12-31T23:59:59Z")
    }
}
