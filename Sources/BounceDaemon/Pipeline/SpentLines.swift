import BounceCore

#if canImport(Glibc)
    import Glibc
#endif

/// Parsed lines the tracking stage of a backfill is done with, handed back to the reading thread, which
/// frees them and fills the same arrays again.
///
/// The lines' Strings were allocated on the reading thread; freeing them on the tracking thread was a
/// twentieth of its time (a `free` into another thread's arena takes its lock), and each batch's fresh
/// array of 16,384 lines (several MB) was mapped and faulted in anew. Only the tracking thread calls
/// ``give(_:)``, only the reading thread ``take()``; at most ``capacity`` arrays wait (the rest are freed
/// where they are).
///
/// Safe to share between the two threads: the stored arrays are read and written with the mutex held.
final class SpentLines: @unchecked Sendable {
    let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var arrays: [[ParsedLine]] = []

    init(capacity: Int = 4) {
        self.capacity = capacity
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Tracking thread: lines it holds the last reference to (so the reader can reuse the storage in place).
    func give(_ lines: consuming [ParsedLine]) {
        var lines = lines
        pthread_mutex_lock(mutex)
        if arrays.count < capacity {
            arrays.append(lines)
            lines = []
        }
        pthread_mutex_unlock(mutex)
    }

    /// Reading thread: an empty array with the capacity of a spent one (its lines freed here), or a new one.
    func take() -> [ParsedLine] {
        pthread_mutex_lock(mutex)
        var lines = arrays.popLast() ?? []
        pthread_mutex_unlock(mutex)
        lines.removeAll(keepingCapacity: true)
        return lines
    }
}
