import Foundation

extension ListmonkAnswer {
    /// listmonk's `message` from a JSON error body (`{"message":"..."}`), or nil when the body is not that.
    public var listmonkMessage: String? {
        guard case .http(_, _, _, _, let body) = self else { return nil }
        return Self.jsonMessage(body)
    }

    /// Whether a 2xx body is listmonk's `{"data":true}`; anything else was accepted by something, but maybe not
    /// by listmonk's webhook (a proxy's own page, another application).
    public var isListmonkSuccessBody: Bool {
        guard case .http(_, _, _, _, let body) = self,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let data = object["data"] as? Bool
        else { return false }
        return data
    }

    static func jsonMessage(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return object["message"] as? String
    }

    /// The start of a body as one line of text, for messages and dead letters.
    public static func excerpt(_ body: [UInt8], limit: Int = 300) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        var collapsed = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if collapsed.count > limit { collapsed = String(collapsed.prefix(limit)) + "…" }
        return collapsed.isEmpty ? "(empty body)" : collapsed
    }

    /// Judges the answer: what the dispatcher must do with the event that was sent.
    ///
    /// The mapping follows listmonk v6.2.0's handler (see docs/delivery.md): 2xx accepted; 400 rejected for good
    /// with listmonk's message; 408, 429, 5xx and transport failures retried; answers that every request would get
    /// the same way (401, 403, 404, listmonk's own 503, redirects, TLS trust, a bad URL) pause delivery.
    /// - Parameter now: the time, to turn a `Retry-After` date into a wait.
    public func deliveryResult(now: Date) -> DeliveryResult {
        switch self {
        case .transport(let failure):
            switch failure.kind {
            case .tls:
                return .paused(
                    status: nil,
                    reason: "TLS with listmonk failed (\(failure.detail)): the server's certificate is not trusted; "
                        + "install its CA in the system trust store or set the delivery CA file")
            case .configuration:
                return .paused(status: nil, reason: "the listmonk URL cannot be used: \(failure.detail)")
            case .connect, .connectTimeout, .timeout, .closed, .other:
                return .retry(after: nil, status: nil, reason: failure.description)
            }
        case .http(let status, let contentType, let retryAfter, let location, let body):
            let after = retryAfter.flatMap { RetryAfter.parse($0, now: now) }
            let message = Self.jsonMessage(body)
            let said = message.map { "listmonk said \"\($0)\"" } ?? "answer: \(Self.excerpt(body, limit: 120))"
            switch status {
            case 200..<300:
                return .accepted
            case 300..<400:
                return .paused(
                    status: status,
                    reason: "listmonk answered \(status), a redirect to \(location ?? "(no Location)"): "
                        + "set the base URL to the final address (often https:// instead of http://)")
            case 400:
                if let message { return .rejected(status: 400, message: message) }
                return .rejected(status: 400, message: "non-JSON 400 answer: \(Self.excerpt(body))")
            case 401:
                return .paused(
                    status: 401,
                    reason: "listmonk answered 401 (\(said)): listmonk before v4 or a proxy asking for its own login; "
                        + "bouncetail needs listmonk v4 or later and an API user with the webhooks:post_bounce permission"
                )
            case 403:
                return .paused(
                    status: 403, reason: "listmonk refused the credentials (403, \(said)): " + Self.authHint(message))
            case 404:
                let html = (contentType ?? "").lowercased().contains("html")
                return .paused(
                    status: 404,
                    reason: html
                        ? "listmonk has no bounce webhook route (404 page): enable Settings → Bounces → "
                            + "\"Enable bounce webhooks\" in listmonk, or check the base URL and sub-path"
                        : "the URL was not found (404, \(said)): check the listmonk base URL and sub-path")
            case 408:
                return .retry(after: after, status: 408, reason: "listmonk timed out reading the request (408)")
            case 429:
                return .retry(after: after, status: 429, reason: "listmonk or a proxy asks to slow down (429)")
            case 503 where message == "Internal server error":
                // listmonk v6.2+ answers exactly this when bounce processing is off; a proxy's 503 is a passing outage.
                return .paused(
                    status: 503,
                    reason: "listmonk's bounce processing is off (503): enable Settings → Bounces → "
                        + "\"Enable bounce processing\" in listmonk")
            case 500..<600:
                return .retry(after: after, status: status, reason: "listmonk or its proxy failed (\(status), \(said))")
            case 407:
                return .paused(status: 407, reason: "a proxy wants its own authentication (407, \(said))")
            case 413, 414, 422:
                return .rejected(status: status, message: message ?? "\(status) answer: \(Self.excerpt(body))")
            default:
                // An answer we do not understand: keep the event and stop, rather than dead-letter every event.
                return .paused(status: status, reason: "unexpected answer \(status) from listmonk (\(said))")
            }
        }
    }

    /// What an operator should do about a 403, from listmonk's message (see the reference's auth table).
    static func authHint(_ message: String?) -> String {
        switch message {
        case "invalid session":
            return "no credentials reached listmonk; check that a proxy passes the Authorization header "
                + "and that no session cookie is sent"
        case "invalid API credentials":
            return "the API user name or token is wrong, or the user is not an enabled API user "
                + "(listmonk → Admin → Users → a user of type API)"
        case let m? where m.hasPrefix("permission denied"):
            return "the API user's role lacks the webhooks:post_bounce permission "
                + "(listmonk → Admin → User roles → the user's role → tick webhooks:post_bounce)"
        case let m? where m.hasPrefix("code=400"):
            return
                "listmonk could not parse the Authorization header; check the user name has no ':' and the token is not empty"
        default:
            return "check the API user, its token and its role's webhooks:post_bounce permission"
        }
    }
}
