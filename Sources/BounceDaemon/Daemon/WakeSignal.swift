/// New events were committed: tells the dispatcher to look at the outbox now rather than at its next poll.
public final class WakeSignal: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        // Only the latest signal matters: several commits before the dispatcher looks mean one look.
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Called by the ingest loop after a commit that added events.
    public func signal() { continuation.yield() }
}
