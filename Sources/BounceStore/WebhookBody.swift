import Foundation

/// The fields of a stored webhook body that the local store needs, read back from its JSON.
struct WebhookBody {
    var email: String
    var subscriberUUID: String?
    var campaignUUID: String?
    var type: String
    var source: String
    /// `meta` re-serialised as compact JSON with sorted keys; `{}` when absent.
    var meta: String
    var createdAt: String?

    init(json: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw StateDBError(
                kind: .encoding, path: "", message: "a stored webhook body is not a JSON object: \(json.prefix(200))")
        }
        email = object["email"] as? String ?? ""
        subscriberUUID = object["subscriber_uuid"] as? String
        campaignUUID = object["campaign_uuid"] as? String
        type = object["type"] as? String ?? "hard"
        source = object["source"] as? String ?? ""
        createdAt = object["created_at"] as? String
        if let m = object["meta"], !(m is NSNull) {
            let data = try JSONSerialization.data(
                withJSONObject: m, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
            meta = String(decoding: data, as: UTF8.self)
        } else {
            meta = "{}"
        }
    }
}
