import BounceCore
import Foundation

/// Encodes events for the wire and for JSON Lines.
public enum WebhookBody {
    /// The body of listmonk's `POST /webhooks/bounce` for one event: every field but `dedup_key`, which is
    /// bouncetail's own and means nothing to listmonk. Keys are sorted so equal events give equal bytes.
    public static func encode(_ event: BounceEvent) throws -> String {
        let full = try jsonLine(event)
        return try removingDedupKey(full)
    }

    /// One event as a single JSON line, `dedup_key` included (no trailing newline).
    public static func jsonLine(_ event: BounceEvent) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    /// A stored webhook body with the dedup key put back in, for sinks that keep the identity (JSON Lines).
    /// - Throws: when `body` is not a JSON object.
    public static func addingDedupKey(_ dedupKey: String, to body: String) throws -> String {
        guard var object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw WebhookBodyError(message: "the stored webhook body is not a JSON object")
        }
        object["dedup_key"] = dedupKey
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func removingDedupKey(_ json: String) throws -> String {
        guard var object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw WebhookBodyError(message: "an event did not encode to a JSON object")
        }
        object.removeValue(forKey: "dedup_key")
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// A body that is not the JSON object it should be.
public struct WebhookBodyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
