import Foundation

/// listmonk v6.2.0's request rules for `POST /webhooks/bounce`, as `shared/reference/listmonk-bounce-api.md`
/// documents them: auth parsing and messages, Go `encoding/json` decoding quirks, validation order and texts.
enum ListmonkRules {
    struct APIUser: Sendable {
        var token: String
        var permissions: Set<String> = ["webhooks:post_bounce"]
        var superAdmin = false
    }

    /// A decoded bounce, after Go's decoding and listmonk's validation.
    struct Bounce: Sendable, Hashable {
        var email = ""
        var subscriberUUID = ""
        var campaignUUID = ""
        var type = ""
        var source = ""
        var meta = "{}"
        var createdAt: String?
    }

    /// nil when authorised; otherwise the 403 message.
    static func authError(headers: [(String, String)], users: [String: APIUser]) -> String? {
        let cookie = headers.first { $0.0.lowercased() == "cookie" }?.1 ?? ""
        if cookie.contains("session=") { return "invalid session" }
        guard let raw = headers.first(where: { $0.0.lowercased() == "authorization" })?.1 else {
            return "invalid session"
        }
        let header = raw.trimmingCharacters(in: .whitespaces)
        if header.isEmpty { return "invalid session" }
        let pair: String
        if header.hasPrefix("token") {
            pair = String(header.dropFirst("token".count)).trimmingCharacters(in: .whitespaces)
        } else if header.hasPrefix("Basic") {
            let payload = String(header.dropFirst("Basic".count)).trimmingCharacters(in: .whitespaces)
            guard let data = Data(base64Encoded: payload) else {
                return "code=400, message=invalid Base64 value in Basic Authorization header"
            }
            pair = String(decoding: data, as: UTF8.self)
        } else {
            return "code=400, message=unknown Authorization scheme"
        }
        guard let colon = pair.firstIndex(of: ":") else { return "code=400, message=api_key:token missing" }
        let user = String(pair[..<colon])
        let token = String(pair[pair.index(after: colon)...])
        if user.isEmpty || token.isEmpty { return "code=400, message=empty `api_key` or `token`" }
        guard let found = users[user], found.token == token else { return "invalid API credentials" }
        if !found.superAdmin && !found.permissions.contains("webhooks:post_bounce") {
            return "permission denied: webhooks:post_bounce"
        }
        return nil
    }

    /// Go's `json.Unmarshal` into `models.Bounce`: the bounce, or the error text that follows `Invalid data:`.
    /// Syntax-error texts are approximations of Go's; type-error texts follow Go's format.
    static func decode(_ body: [UInt8]) -> Result<Bounce, DecodeError> {
        let trimmed = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.isEmpty { return .failure(.init("unexpected end of JSON input")) }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            let first = Character(UnicodeScalar(trimmed.first!))
            if first == "{" || first == "[" || first == "\"" {
                return .failure(.init("unexpected end of JSON input"))
            }
            return .failure(.init("invalid character '\(first)' looking for beginning of value"))
        }
        var bounce = Bounce()
        if parsed is NSNull { return .success(bounce) }
        guard let object = parsed as? [String: Any] else {
            return .failure(.init("json: cannot unmarshal \(kind(parsed)) into Go value of type models.Bounce"))
        }
        let stringFields = ["email", "subscriber_uuid", "campaign_uuid", "type", "source", "subscriber_status"]
        for (rawKey, value) in object {
            // Go matches keys case-insensitively.
            let key = rawKey.lowercased()
            if value is NSNull { continue }
            if stringFields.contains(key) {
                guard let s = value as? String else {
                    return .failure(
                        .init("json: cannot unmarshal \(kind(value)) into Go struct field Bounce.\(key) of type string")
                    )
                }
                switch key {
                case "email": bounce.email = s
                case "subscriber_uuid": bounce.subscriberUUID = s
                case "campaign_uuid": bounce.campaignUUID = s
                case "type": bounce.type = s
                case "source": bounce.source = s
                default: break
                }
            } else if key == "id" || key == "subscriber_id" {
                guard let n = value as? NSNumber, kind(value) == "number", n.doubleValue == n.doubleValue.rounded()
                else {
                    return .failure(
                        .init("json: cannot unmarshal \(kind(value)) into Go struct field Bounce.\(key) of type int"))
                }
            } else if key == "created_at" {
                guard let s = value as? String else {
                    return .failure(.init("Time.UnmarshalJSON: input is not a JSON string"))
                }
                guard parseRFC3339(s) else {
                    return .failure(
                        .init(
                            "parsing time \"\(s)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\(s)\" as \"2006\"")
                    )
                }
                bounce.createdAt = s
            } else if key == "meta" {
                if let data = try? JSONSerialization.data(
                    withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
                {
                    bounce.meta = String(decoding: data, as: UTF8.self)
                }
            }
        }
        return .success(bounce)
    }

    struct DecodeError: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func kind(_ value: Any) -> String {
        switch value {
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default:
            return String(describing: type(of: value)).contains("Bool") ? "bool" : "number"
        }
    }

    static func parseRFC3339(_ s: String) -> Bool {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: s) != nil || fractional.date(from: s) != nil
    }

    /// listmonk's `validateBounceFields`, in order. Returns the 400 message, or nil (and the cleaned bounce).
    static func validate(_ bounce: inout Bounce) -> String? {
        if bounce.email.isEmpty && bounce.subscriberUUID.isEmpty { return "Invalid fields: email / subscriber_uuid" }
        if !bounce.subscriberUUID.isEmpty && !isUUID(bounce.subscriberUUID) { return "Invalid fields: subscriber_uuid" }
        if !bounce.email.isEmpty {
            guard let clean = sanitizeEmail(bounce.email) else { return "Invalid email." }
            bounce.email = clean
        }
        if !["hard", "soft", "complaint"].contains(bounce.type) { return "Invalid fields: type" }
        return nil
    }

    static func isUUID(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// Trimmed and lower-cased, and only a bare addr-spec of dot-atoms (what `net/mail.ParseAddress` returns unchanged).
    static func sanitizeEmail(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let atext = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~")
        func dotAtom(_ s: Substring) -> Bool {
            let atoms = s.split(separator: ".", omittingEmptySubsequences: false)
            return !s.isEmpty
                && atoms.allSatisfy { atom in
                    !atom.isEmpty && atom.allSatisfy { atext.contains($0) || !$0.isASCII }
                }
        }
        let domain = parts[1]
        let literal = domain.hasPrefix("[") && domain.hasSuffix("]") && domain.count > 2
        guard dotAtom(parts[0]), dotAtom(domain) || literal else { return nil }
        return email
    }
}
