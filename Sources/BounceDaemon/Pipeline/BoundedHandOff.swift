#if canImport(Glibc)
    import Glibc
#endif

/// A bounded first-in, first-out hand-off from one producer thread to one consumer: ``put(_:)`` waits
/// while `capacity` items wait, ``take()`` waits while none does.
///
/// The backfill's two stages meet here (read + parse on one core, track + classify + commit on the
/// other): the bound keeps the parsed lines in memory to a few batches however far the reader could run
/// ahead. Either side may stop: the producer with ``finish()`` (the consumer drains what is left, then
/// ``take()`` returns nil), the consumer with ``close()`` (the producer's next ``put(_:)`` returns false
/// and drops its item); ``waitUntilFinished()`` then waits for the producer to have let go of its files.
///
/// Safe to share between the two threads: every stored property is read and written with the mutex
/// held (that is why the class can be `@unchecked Sendable`), and the elements are `Sendable`.
final class BoundedHandOff<Element: Sendable>: @unchecked Sendable {
    let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Waiting items, oldest first (a handful: removing the first is cheap).
    private var items: [Element] = []
    private var finished = false
    private var closed = false

    /// - Parameter capacity: items that may wait at once (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Producer: hands `item` over, waiting while the hand-off is full. False when the consumer closed it
    /// (the item is dropped: stop producing).
    func put(_ item: Element) -> Bool {
        locked {
            while items.count >= capacity && !closed { pthread_cond_wait(changed, mutex) }
            guard !closed else { return false }
            items.append(item)
            pthread_cond_broadcast(changed)
            return true
        }
    }

    /// Consumer: the oldest item, waiting while there is none; nil once the producer finished and
    /// everything was taken.
    func take() -> Element? {
        locked {
            while items.isEmpty && !finished { pthread_cond_wait(changed, mutex) }
            guard !items.isEmpty else { return nil }
            let item = items.removeFirst()
            pthread_cond_broadcast(changed)
            return item
        }
    }

    /// Consumer: the oldest items, at most `limit` (at least 1), waiting while there is none: what waits is
    /// taken together (the committing stage commits it in one transaction). Empty once the producer finished
    /// and everything was taken.
    func take(upTo limit: Int) -> [Element] {
        locked {
            while items.isEmpty && !finished { pthread_cond_wait(changed, mutex) }
            let n = min(max(1, limit), items.count)
            let taken = Array(items.prefix(n))
            items.removeFirst(n)
            if n > 0 { pthread_cond_broadcast(changed) }
            return taken
        }
    }

    /// Producer: nothing more will come.
    func finish() {
        locked {
            finished = true
            pthread_cond_broadcast(changed)
        }
    }

    /// Consumer: take nothing more; a producer waiting in ``put(_:)`` returns false. Waiting items are dropped.
    func close() {
        locked {
            closed = true
            items.removeAll()
            pthread_cond_broadcast(changed)
        }
    }

    /// Waits until the producer called ``finish()``.
    func waitUntilFinished() {
        locked {
            while !finished { pthread_cond_wait(changed, mutex) }
        }
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
