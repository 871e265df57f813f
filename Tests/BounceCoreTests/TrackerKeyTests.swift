import Testing

@testable import BounceCore

/// The tracker's per-line string helpers, rewritten on bytes for speed, against what they must produce.
@Suite("Tracker keys and header tokens")
struct TrackerKeyTests {
    @Test(arguments: [
        ("mx1.example.net", MTA.postfix, "4C2F1A0B3D", "mx1.example.net|postfix|4C2F1A0B3D"),
        ("h", MTA.exim, "1aBcDe-000001-XY", "h|exim|1aBcDe-000001-XY"),
        ("", MTA.postfix, "", "|postfix|"),
        ("mx-ü.example", MTA.exim, "~d:example.com", "mx-ü.example|exim|~d:example.com"),
    ])
    func keyJoinsHostMTAAndQueueID(host: String, mta: MTA, queueID: String, expected: String) {
        let k = MessageTracker.key(host: host, mta: mta, queueID: queueID)
        #expect(k == expected)
        #expect(k == host + "|" + mta.rawValue + "|" + queueID)
        #expect(MessageTracker.isRecentKey(k) == queueID.hasPrefix("~"))
    }

    @Test(arguments: [
        ("6f1c2d3e-4a5b from localhost[127.0.0.1]; from=<a@b>", "6f1c2d3e-4a5b"),
        (" \t<abc>; x", "abc"),
        ("<>", ""),
        ("<", "<"),
        ("<abc", "<abc"),
        ("abc>", "abc>"),
        ("", ""),
        ("   ", ""),
        ("grüße;rest", "grüße"),
    ])
    func firstTokenIsTheFirstWordWithoutAngleBrackets(value: String, expected: String) {
        #expect(ListmonkHeader.firstToken(value) == expected)
    }
}
