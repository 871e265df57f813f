import BounceDelivery
import Foundation
import Testing

@Suite struct JSONLinesSinkTests {
    func tempFile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-jsonl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("bounces.jsonl").path
    }

    @Test func oneEventPerLineWithTheDedupKey() async throws {
        let path = try tempFile()
        let sink = try JSONLinesSink(path: path)
        try await sink.write(Fixtures.event(1))
        try await sink.write(Fixtures.event(2, email: "line\nbreak@example.org"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty, "two lines, each ending in a newline")
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(first["dedup_key"] as? String == Fixtures.event(1).dedupKey)
        #expect(first["email"] as? String == "user1@example.org")
        #expect((first["meta"] as? [String: Any])?["reason"] as? String == "userunknown")
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
        #expect(second["email"] as? String == "line\nbreak@example.org")
    }

    @Test func theWebhookBodyOmitsTheDedupKey() throws {
        let body = try WebhookBody.encode(Fixtures.event(1))
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
        #expect(object["dedup_key"] == nil)
        #expect(object["type"] as? String == "hard" && object["source"] as? String == "bouncetail")
        #expect(object["created_at"] as? String == "2026-11-26T16:21:54Z")
    }

    @Test func theDispatcherCanDrainTheOutboxIntoAFile() async throws {
        let path = try tempFile()
        let sink = try JSONLinesSink(path: path)
        let outbox = InMemoryOutbox()
        for i in 0..<25 { await outbox.enqueue(body: Fixtures.body(i), dedupKey: "key-\(i)") }
        let dispatcher = Dispatcher(outbox: outbox, transport: sink, configuration: fastConfiguration())
        #expect(await drain(dispatcher))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 25)
        let keys = Set(
            lines.map {
                (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["dedup_key"] as! String
            })
        #expect(keys == Set((0..<25).map { "key-\($0)" }))
        #expect(await outbox.count(.sent) == 25)
    }

    @Test func anUnopenableFileNamesTheKey() {
        #expect(throws: DeliveryConfigurationError.self) { try JSONLinesSink(path: "/nonexistent-dir-bt/x.jsonl") }
    }
}

@Suite struct WebhookBodyTests {
    @Test func theDedupKeyGoesInFrontOfTheStoredBytes() throws {
        let event = Fixtures.event(7)
        let body = try WebhookBody.encode(event)
        #expect(try WebhookBody.addingDedupKey(event.dedupKey, to: body) == event.jsonLine())
        #expect(try WebhookBody.addingDedupKey("a\"b", to: "{}") == #"{"dedup_key":"a\"b"}"#)
        #expect(throws: WebhookBodyError.self) { try WebhookBody.addingDedupKey("k", to: "[1]") }
    }
}
