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
        // The tracker's hashed key stores as that text and parses back from it.
        let key = TrackerKey(host: host, mta: mta, queueID: queueID)
        #expect(key.text == expected)
        #expect(TrackerKey(text: expected) == key)
        #expect(TrackerKey(text: expected)?.hashValue == key.hashValue)
    }

    /// Two keys are equal exactly when their stored texts are: a differing host, MTA or queue id is a
    /// different message, whatever the hashes say.
    @Test func hashedKeysAreEqualExactlyWhenTheirTextsAre() {
        let parts = [
            ("mx1", MTA.postfix, "Q1"), ("mx1", .exim, "Q1"), ("mx2", .postfix, "Q1"), ("mx1", .postfix, "Q2"),
        ]
        for a in parts {
            for b in parts {
                let ka = TrackerKey(host: a.0, mta: a.1, queueID: a.2)
                let kb = TrackerKey(host: b.0, mta: b.1, queueID: b.2)
                #expect((ka == kb) == (ka.text == kb.text))
            }
        }
        #expect(Set(parts.map { TrackerKey(host: $0.0, mta: $0.1, queueID: $0.2) }).count == 4)
    }

    @Test(arguments: ["", "no-bars", "h|smtp|Q1", "h|postfix"])
    func aStoredKeyWithoutHostAndKnownMTAParsesToNothing(text: String) {
        #expect(TrackerKey(text: text) == nil)
    }

    /// Eviction breaks ties by the stored text; the comparison that builds no text must agree with it,
    /// hosts that are prefixes of each other, `|` and non-ASCII names included.
    @Test func sortingByTextIsTheStringOrder() {
        let hosts = ["mx1", "mx1a", "mx1~", "mx1}", "mx1.b", "mx", "mx2", "", "mx1|x", "mxü", "MX1", "a"]
        var keys: [TrackerKey] = []
        for h in hosts {
            for m in [MTA.postfix, .exim] {
                for q in ["A", "B1", "~d:example.com", ""] { keys.append(TrackerKey(host: h, mta: m, queueID: q)) }
            }
        }
        for a in keys {
            for b in keys { #expect(TrackerKey.textLess(a, b) == (a.text < b.text), "\(a.text) < \(b.text)") }
        }
        #expect(TrackerKey.sortedByText(keys.shuffled()).map(\.text) == keys.map(\.text).sorted())
    }

    /// The pipeline counts lines per record kind in an array indexed by ``RecordKind/index``.
    @Test func kindIndexIsThePositionOfTheKindInAllCases() {
        let records: [LogRecord] = [
            .delivery(DeliveryAttempt(mta: .postfix, queueID: "Q", recipient: "a@b", rawStatus: "sent", status: .sent)),
            .queued(QueuedMessage(mta: .postfix, queueID: "Q", sender: "")),
            .expired(mta: .postfix, queueID: "Q", sender: "", rawStatus: "expired"),
            .removed(mta: .postfix, queueID: "Q"), .messageID(mta: .postfix, queueID: "Q", messageID: "m"),
            .header(mta: .postfix, queueID: "Q", name: "n", value: "v"),
            .bounceNotification(mta: .postfix, queueID: "Q", notificationQueueID: "R", kind: "non-delivery"),
            .inboundReject(mta: .postfix), .warning(mta: .postfix), .otherMTA(mta: .postfix), .other,
        ]
        #expect(Set(records.map(\.kind)).count == RecordKind.allCases.count)
        for r in records { #expect(RecordKind.allCases[r.kind.index] == r.kind) }
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
