import BounceSources
import Dispatch

/// What the sources hand the ingest loop.
enum DaemonInput: Sendable {
    case file(source: String, batch: FileBatch)
    case journal(JournalBatch)
    case sourceFailed(source: String, message: String)
    /// Periodic: ageing of the tracker, retention, outbox gauges.
    case tick
}

/// A bounded hand-off from the source threads to the ingest loop: a producer waits for room, so a slow
/// commit slows reading instead of growing memory (the logs stay on disk meanwhile).
final class InputChannel: Sendable {
    let stream: AsyncStream<DaemonInput>
    private let continuation: AsyncStream<DaemonInput>.Continuation
    private let room: DispatchSemaphore

    init(capacity: Int = 8) {
        (stream, continuation) = AsyncStream.makeStream(of: DaemonInput.self)
        room = DispatchSemaphore(value: capacity)
    }

    /// Blocks the calling (source) thread until there is room, then hands `input` over.
    func send(_ input: DaemonInput) {
        room.wait()
        continuation.yield(input)
    }

    /// Called by the consumer once it has processed an input.
    func processed() { room.signal() }

    func finish() { continuation.finish() }
}
