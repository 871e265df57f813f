import Dispatch

/// The batches of a ``JournalSource``, in journal order.
///
/// The sequence ends when the source stops or, in backfill mode, at the end of the journal; it
/// throws a ``JournalError`` if the journal becomes unusable. The reader runs at most
/// ``JournalOptions/maxPendingBatches`` batches ahead of the consumer: taking a batch with
/// `next()` lets it read on. Iterate it once.
public struct JournalBatches: AsyncSequence, Sendable {
    public typealias Element = JournalBatch

    let stream: AsyncThrowingStream<JournalBatch, any Error>
    let credits: DispatchSemaphore

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: stream.makeAsyncIterator(), credits: credits)
    }

    /// Takes batches one at a time, returning a credit to the reader for each.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<JournalBatch, any Error>.AsyncIterator
        let credits: DispatchSemaphore

        public mutating func next() async throws -> JournalBatch? {
            guard let batch = try await base.next() else { return nil }
            credits.signal()
            return batch
        }
    }
}
