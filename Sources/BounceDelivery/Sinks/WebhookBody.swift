import BounceCore
import Foundation

/// Encodes events for the wire and for JSON Lines, with the event's own encoding (`BounceEvent.webhookJSON()`,
/// the same bytes the state database stores in the outbox).
public enum WebhookBody {
    /// The body of listmonk's `POST /webhooks/bounce` for one event: every field but `dedup_key`, which is
    /// bouncetail's own and means nothing to listmonk.
    public static func encode(_ event: BounceEvent) throws -> String {
        event.webhookJSON()
    }

    /// One event as a single JSON line, `dedup_key` first (no trailing newline).
    public static func jsonLine(_ event: BounceEvent) throws -> String {
        event.jsonLine()
    }

    /// A stored webhook body with the dedup key put in front, for sinks that keep the identity (JSON Lines):
    /// the same layout as ``jsonLine(_:)``, the stored bytes otherwise untouched.
    /// - Throws: when `body` is not a JSON object.
    public static func addingDedupKey(_ dedupKey: String, to body: String) throws -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}"),
            (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) is [String: Any]
        else {
            throw WebhookBodyError(message: "the stored webhook body is not a JSON object")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let key = String(decoding: try encoder.encode(dedupKey), as: UTF8.self)
        let rest = trimmed.dropFirst().drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return "{\"dedup_key\":" + key + (rest.hasPrefix("}") ? "" : ",") + rest
    }
}

/// A body that is not the JSON object it should be.
public struct WebhookBodyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
