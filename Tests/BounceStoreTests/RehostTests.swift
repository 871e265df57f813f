import BounceCore
import Foundation
import Testing

@testable import BounceStore

/// Dedup keys recorded under an older host form are rewritten once to today's identity, so that re-reading
/// their lines adds nothing.
@Suite("Rehosting stored identities")
struct RehostTests {
    static func event(_ n: Int, host: String) -> BounceEvent {
        var e = makeEvent(n)
        e.meta.host = host
        e.dedupKey = "v2|\(host)|postfix|Q\(n)|a:1795651200|user\(n)@example.org|bounced"
        return e
    }

    static func identity(_ host: String) -> String { host == "Mail.Example.org" ? "mail" : host }

    @Test func oldKeysTakeTheNewHostInEveryTable() throws {
        let dir = TempDir()
        let clock = TestClock()
        let db = try openDB(dir.file(), clock: clock)
        try db.commit(Batch(events: [Self.event(1, host: "Mail.Example.org"), Self.event(2, host: "mx2")]))
        try db.commit(Batch(events: [Self.event(3, host: "Mail.Example.org")], sink: .localStore))

        let r = try db.rehostIdentities(fingerprint: "f1", identity: Self.identity)
        #expect(r.scanned)
        #expect(r.renamed == ["Mail.Example.org": "mail"])
        // Keys 1 and 3 in dedup_keys, 1 in the outbox, 3 in the local store.
        #expect(r.rows == 4)
        let path = dir.file()
        #expect(try count(path, "SELECT COUNT(*) FROM dedup_keys WHERE dedup_key LIKE 'v2|mail|%'") == 2)
        #expect(try count(path, "SELECT COUNT(*) FROM dedup_keys WHERE dedup_key LIKE 'v2|Mail.Example.org|%'") == 0)
        #expect(try count(path, "SELECT COUNT(*) FROM dedup_keys WHERE dedup_key LIKE 'v2|mx2|%'") == 1)
        #expect(
            try count(path, "SELECT COUNT(*) FROM outbox WHERE dedup_key LIKE 'v2|mail|%' AND mta_host = 'mail'") == 1)
        #expect(
            try count(
                path,
                "SELECT COUNT(*) FROM bounces WHERE dedup_key LIKE 'v2|mail|%' AND json_extract(meta, '$.host') = 'mail'"
            )
                == 1)

        // The same bounces read again under the new identity are duplicates: nothing is sent twice.
        var again = [Self.event(1, host: "mail"), Self.event(3, host: "mail"), Self.event(2, host: "mx2")]
        again[0].meta.host = "mail"
        let result = try db.commit(Batch(events: again))
        #expect(result.inserted == 0)
        #expect(result.duplicates == 3)

        // Once per configuration: the same fingerprint reads nothing.
        let second = try db.rehostIdentities(fingerprint: "f1", identity: { _ in "other" })
        #expect(!second.scanned)
        #expect(second.rows == 0)
    }

    /// Both forms recorded (a key under the new host already exists): the old row stays, nothing fails.
    @Test func aKeyWhoseNewFormExistsIsLeftAlone() throws {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(Batch(events: [Self.event(1, host: "Mail.Example.org"), Self.event(1, host: "mail")]))
        let r = try db.rehostIdentities(fingerprint: "f", identity: Self.identity)
        #expect(r.rows == 0)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM dedup_keys") == 2)
        #expect(try count(dir.file(), "SELECT COUNT(*) FROM outbox") == 2)
    }
}
