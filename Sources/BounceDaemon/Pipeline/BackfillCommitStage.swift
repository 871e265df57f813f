import BounceCore
import BounceStore
import Dispatch
import Foundation

/// The third stage of a file backfill, on a thread of its own: commits the batches the tracking stage built,
/// in their order, each with its own position in the transaction of its events.
///
/// The batches that wait when the committer gets to them are committed together in one transaction
/// (``StateDB/commit(group:)``, at most ``groupLimit``): the pages that consecutive batches touch in common
/// (the random-keyed outcome, claim and sent-index trees) then go to the WAL once instead of once per batch.
/// When the committer keeps up, each batch is a transaction of its own, as before. A crash loses at most the
/// uncommitted batches, which the next backfill reads again from the last committed position.
///
/// The tracking thread calls ``put(_:)``, ``completed()`` between batches, then ``finish()``; a failed commit
/// stops the stage (``put(_:)`` returns false) and is rethrown by ``finish()`` after the batches committed
/// before it were handed out.
final class BackfillCommitStage: @unchecked Sendable {
    /// A committed batch: what the state database did with it, and its events (for `emit`).
    struct Committed: Sendable {
        var result: BatchResult
        var events: [BounceEvent]
    }

    let groupLimit: Int
    private let handOff: BoundedHandOff<Batch>
    private let done = DispatchSemaphore(value: 0)
    // Guards `ready`, `failure` and `joined` (written by the committer, read by the tracking thread).
    private let lock = NSLock()
    private var ready: [Committed] = []
    private var failure: (any Error)?
    private var joined = false

    /// Starts the committing thread.
    /// - Parameters:
    ///   - capacity: batches that may wait for the committer (the tracking stage waits beyond that).
    ///   - groupLimit: batches committed together in one transaction, at most.
    init(db: StateDB, capacity: Int, groupLimit: Int) {
        self.groupLimit = max(1, groupLimit)
        self.handOff = BoundedHandOff(capacity: capacity)
        let thread = Thread { [self] in
            ThreadName.set("backfill-commit")
            commitAll(db)
            done.signal()
        }
        thread.name = "backfill-commit"
        thread.start()
    }

    /// Hands a batch to the committer, waiting while `capacity` batches wait. False when the stage stopped
    /// on a failed commit: stop tracking; ``finish()`` throws the failure.
    func put(_ batch: Batch) -> Bool { handOff.put(batch) }

    /// The batches committed since the last call, in order.
    func completed() -> [Committed] {
        lock.lock()
        defer { lock.unlock() }
        let out = ready
        ready.removeAll(keepingCapacity: true)
        return out
    }

    /// Nothing more will come: waits until every batch handed over is committed (or a commit failed) and the
    /// thread is done, then returns the batches committed since the last ``completed()``, or throws the
    /// failure. Safe to call more than once (the later calls only return or throw again).
    func finish() throws -> [Committed] {
        lock.lock()
        let first = !joined
        joined = true
        lock.unlock()
        if first {
            handOff.finish()
            done.wait()
        }
        let out = completed()
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        return out
    }

    private func commitAll(_ db: StateDB) {
        while true {
            let group = handOff.take(upTo: groupLimit)
            if group.isEmpty { return }
            do {
                let results = try db.commit(group: group)
                lock.lock()
                for (result, batch) in zip(results, group) {
                    ready.append(Committed(result: result, events: batch.events))
                }
                lock.unlock()
            } catch {
                lock.lock()
                failure = error
                lock.unlock()
                // The tracking thread's next put returns false; what waits is dropped (never committed).
                handOff.close()
                return
            }
        }
    }
}
