/// What one delivery attempt to a sink came to, and so what the dispatcher does with the event.
public enum DeliveryResult: Sendable, Hashable {
    /// The sink took the event (listmonk: a 2xx). Mark it sent.
    case accepted
    /// The sink refused this event for good (listmonk: a 400 with its `message`). Dead-letter it with the answer.
    /// - Parameters:
    ///   - status: the HTTP status, nil for a non-HTTP sink.
    ///   - message: listmonk's `message`, or an excerpt of the raw body when it was not JSON.
    case rejected(status: Int?, message: String)
    /// A passing failure (connection error, timeout, 408, 429, 5xx other than 503): try the event again later.
    /// - Parameters:
    ///   - after: the server's `Retry-After`, when it sent one; otherwise the backoff policy decides.
    ///   - status: the HTTP status, nil when no answer came.
    ///   - reason: what went wrong, for the outbox row and the log.
    case retry(after: Duration?, status: Int?, reason: String)
    /// An answer that means every request will fail the same way (401, 403, 404, 503, a redirect, a TLS trust
    /// failure). Pause the dispatcher, keep the event as it is, and probe slowly until the cause is fixed.
    case paused(status: Int?, reason: String)

    /// The HTTP status carried by this result, if any (2xx is reported by the caller).
    public var status: Int? {
        switch self {
        case .accepted: return nil
        case .rejected(let status, _), .retry(_, let status, _), .paused(let status, _): return status
        }
    }
}
