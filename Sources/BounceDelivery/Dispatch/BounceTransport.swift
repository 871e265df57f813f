/// Where the dispatcher sends each outbox event: listmonk's webhook, a JSON Lines file, or a test's stand-in.
public protocol BounceTransport: Sendable {
    /// Delivers one event and says what came of it. Must not throw: every failure is a ``DeliveryResult``.
    /// - Parameters:
    ///   - body: the event's webhook JSON, as stored in the outbox.
    ///   - dedupKey: the event's identity (not part of the webhook body).
    func deliver(body: String, dedupKey: String) async -> DeliveryResult

    /// While paused: checks, without recording anything, whether the cause is gone. `.accepted` means healthy,
    /// `.paused` means still broken; nil means this transport cannot probe, and the dispatcher sends the oldest
    /// due event instead.
    func probe() async -> DeliveryResult?
}

extension BounceTransport {
    public func probe() async -> DeliveryResult? { nil }
}
