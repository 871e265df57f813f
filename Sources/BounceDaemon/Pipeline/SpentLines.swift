import BounceCore

#if canImport(Glibc)
    import Glibc
#endif

/// The parsed lines of one batch, in a box of their own: the array is referenced by the box only, so the
/// tracking thread can feed the lines in place (``EventPipeline/ingest(lines:into:)``) without the copy a
/// shared array would take first, and the box can go back to the reading thread (``SpentLines``).
///
/// Handed from one thread to the other through ``BoundedHandOff`` and ``SpentLines``, each of which orders
/// the hand-over with its mutex; one thread at a time uses a box (that is why it can be `@unchecked Sendable`).
final class ParsedLines: @unchecked Sendable {
    var lines: [ParsedLine]

    init(_ lines: [ParsedLine] = []) { self.lines = lines }
}

/// Parsed lines the tracking stage of a backfill is done with, handed back to the reading thread, which
/// frees them and fills the same arrays again.
///
/// The lines' Strings were allocated on the reading thread; freeing them on the tracking thread was a
/// twentieth of its time (a `free` into another thread's arena takes its lock), and each batch's fresh
/// array of 16,384 lines (several MB) was mapped and faulted in anew. Only the tracking thread calls
/// ``give(_:)``, only the reading thread ``take()``; at most ``capacity`` boxes wait (the rest are freed
/// where they are).
///
/// Safe to share between the two threads: the stored boxes are read and written with the mutex held.
final class SpentLines: @unchecked Sendable {
    let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var boxes: [ParsedLines] = []

    init(capacity: Int = 4) {
        self.capacity = capacity
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Tracking thread: a box it will not touch again.
    func give(_ box: ParsedLines) {
        pthread_mutex_lock(mutex)
        if boxes.count < capacity { boxes.append(box) }
        pthread_mutex_unlock(mutex)
    }

    /// Tracking thread, once the reading thread is done: frees the boxes waiting here (and their lines).
    func drain() {
        var gone: [ParsedLines] = []
        pthread_mutex_lock(mutex)
        swap(&gone, &boxes)
        pthread_mutex_unlock(mutex)
        // Freed here, outside the mutex.
        gone.removeAll()
    }

    /// How many boxes wait to be taken.
    var waiting: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return boxes.count
    }

    /// Reading thread: a box whose lines were freed here, its array's storage kept, or a new box.
    func take() -> ParsedLines {
        pthread_mutex_lock(mutex)
        let box = boxes.popLast()
        pthread_mutex_unlock(mutex)
        guard let box else { return ParsedLines() }
        box.lines.removeAll(keepingCapacity: true)
        return box
    }
}
