import BounceCore
import Foundation
import Testing

@testable import BounceStore

@Suite("Export of the local bounces store and replay")
struct ExportTests {
    func storeWithTwoBounces() throws -> (TempDir, StateDB) {
        let dir = TempDir()
        let db = try openDB(dir.file(), clock: TestClock())
        try db.commit(
            Batch(
                events: [
                    makeEvent(1, createdAt: "2026-11-01T08:00:00Z"),
                    makeEvent(2, createdAt: "2026-11-20T09:30:00.123456Z", campaign: nil),
                ], sink: .localStore))
        return (dir, db)
    }

    func export(_ db: StateDB, _ format: ExportFormat, since: Date? = nil) throws -> String {
        var out = ""
        try db.exportBounces(format: format, since: since) { out += $0 }
        return out
    }

    @Test func jsonHasListmonksShape() throws {
        let (_, db) = try storeWithTwoBounces()
        let text = try export(db, .json)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let data = try #require(root["data"] as? [String: Any])
        #expect(data["total"] as? Int == 2)
        #expect(data["per_page"] as? Int == 0)
        #expect(data["page"] as? Int == 1)
        #expect(data["search"] as? String == "" && data["query"] as? String == "")
        let results = try #require(data["results"] as? [[String: Any]])
        #expect(results.count == 2)
        let first = results[0]
        #expect(first["id"] as? Int == 1)
        #expect(first["type"] as? String == "hard")
        #expect(first["source"] as? String == "postfix")
        #expect(first["email"] as? String == "user1@example.org")
        #expect(first["created_at"] as? String == "2026-11-01T08:00:00Z")
        #expect(first["subscriber_uuid"] as? String == "6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01")
        #expect(first["campaign_uuid"] as? String == "9f1c2d3e-0000-4000-8000-000000000001")
        #expect(first["campaign"] is NSNull)
        let meta = try #require(first["meta"] as? [String: Any])
        #expect(meta["reason"] as? String == "userunknown" && meta["dsn"] as? String == "5.1.1")
        #expect(results[1]["campaign_uuid"] as? String == "")
        #expect(results[1]["created_at"] as? String == "2026-11-20T09:30:00.123456Z")
        // listmonk's field order: id, type, source, meta, created_at, email, subscriber_uuid.
        let order = [
            "\"id\"", "\"type\"", "\"source\"", "\"meta\"", "\"created_at\"", "\"email\"", "\"subscriber_uuid\"",
        ]
        let positions = order.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func jsonSinceFilterAndEmptyPage() throws {
        let (_, db) = try storeWithTwoBounces()
        let since = Date(timeIntervalSince1970: Double(Timestamps.parseRFC3339("2026-11-10T00:00:00Z")!) / 1e6)
        let filtered =
            try JSONSerialization.jsonObject(with: Data(try export(db, .json, since: since).utf8)) as? [String: Any]
        let data = filtered?["data"] as? [String: Any]
        #expect(data?["total"] as? Int == 1)
        #expect((data?["results"] as? [[String: Any]])?.first?["email"] as? String == "user2@example.org")

        let empty = try export(db, .json, since: Date(timeIntervalSince1970: 2_000_000_000))
        #expect(
            empty
                == "{\"data\":{\"results\":[],\"search\":\"\",\"query\":\"\",\"total\":0,\"per_page\":0,\"page\":0}}\n")
    }

    @Test func csvHasAHeaderAndQuotesFields() throws {
        let (_, db) = try storeWithTwoBounces()
        let lines = try export(db, .csv).components(separatedBy: "\r\n")
        #expect(lines[0] == "id,type,source,meta,created_at,email,subscriber_uuid,campaign_uuid")
        #expect(lines.count == 4 && lines[3] == "")
        #expect(lines[1].hasPrefix("1,hard,postfix,\"{"))
        #expect(
            lines[1].hasSuffix(
                ",2026-11-01T08:00:00Z,user1@example.org,6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01,9f1c2d3e-0000-4000-8000-000000000001"
            ))
        // The diagnostic's own quotes are doubled inside the quoted meta field.
        #expect(lines[1].contains("\\\"\"sorry\\\"\""))
        #expect(lines[2].hasSuffix(",user2@example.org,6fbd6a4c-3b0e-4a0e-9a8e-2f1c1f4f7a01,"))
    }

    @Test func aFailingWriterIsReportedAsSuch() throws {
        struct BrokenPipe: Error {}
        let (_, db) = try storeWithTwoBounces()
        #expect {
            try db.exportBounces(format: .csv) { _ in throw BrokenPipe() }
        } throws: { error in
            "\(error)".contains("writing the export") && "\(error)".contains("BrokenPipe")
        }
        // The database is still usable afterwards (the read transaction was ended).
        #expect(try export(db, .csv).hasPrefix(StoredBounce.csvHeader))
    }

    @Test func replayEnqueuesStoredBouncesWithTheirOwnIdentity() throws {
        let (_, db) = try storeWithTwoBounces()
        let since = Date(timeIntervalSince1970: Double(Timestamps.parseRFC3339("2026-11-10T00:00:00Z")!) / 1e6)
        #expect(try db.storedBounces(since: since).map(\.email) == ["user2@example.org"])
        #expect(try db.enqueueReplay(since: since) == 1)
        // A second replay is a second, deliberate send, not blocked as a duplicate.
        #expect(try db.enqueueReplay() == 2)
        let rows = try db.claimDue(limit: 10)
        #expect(rows.count == 3 && rows.allSatisfy { $0.kind == "replay" && $0.dedupKey.hasPrefix("replay:") })
        #expect(Set(rows.map(\.dedupKey)).count == 3)
        let row = try #require(rows.first { $0.email == "user2@example.org" })
        #expect(row.reason == "userunknown" && row.mtaHost == "mail1" && row.fault == "recipient")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(row.body.utf8)) as? [String: Any])
        #expect(body["email"] as? String == "user2@example.org")
        #expect(body["type"] as? String == "hard")
        #expect(body["campaign_uuid"] == nil)  // empty UUIDs are left out of the webhook body
        #expect(body["created_at"] as? String == "2026-11-20T09:30:00.123456Z")
        #expect((body["meta"] as? [String: Any])?["reason"] as? String == "userunknown")
    }
}
