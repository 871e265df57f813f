import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads MTA entries from the systemd journal through sd-journal, in batches.
///
/// One dedicated thread opens, reads and closes the `sd_journal` handle (sd-journal(3) allows a
/// handle on one thread only); the rest of the program talks to it through ``start()``, ``stop()``
/// and ``batches``.
///
/// ```swift
/// let source = try JournalSource(options: JournalOptions(location: .local, start: .after(stored)))
/// let report = try await source.start()      // log report.description
/// for try await batch in source.batches {
///     // process batch.entries, then commit batch.position in the same transaction
/// }
/// ```
public final class JournalSource: Sendable {
    public let options: JournalOptions
    /// The batches read; see ``JournalBatches``.
    public let batches: JournalBatches

    private let continuation: AsyncThrowingStream<JournalBatch, any Error>.Continuation
    private let credits: DispatchSemaphore
    private let state = Mutex(State())
    /// A pipe whose write end ``stop()`` writes to, so a reader waiting for journal changes wakes at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private struct State {
        var started = false
        var stopRequested = false
        var counters = JournalCounters()
        var unitsNotFound: [String] = []
    }

    /// Prepares a source; nothing is opened until ``start()``.
    public init(options: JournalOptions) throws(JournalError) {
        self.options = options
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw JournalError(operation: "create the journal reader's wake-up pipe", code: errno)
        }
        for fd in fds {
            // Non-blocking so that neither stop() nor draining can ever block; close-on-exec
            // so that MTA helpers the daemon may spawn do not inherit it.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        // Start at zero and signal up: libdispatch traps when a semaphore is freed with a value
        // below the one it was created with, which a stopped source may well have.
        credits = DispatchSemaphore(value: 0)
        for _ in 0..<options.maxPendingBatches { credits.signal() }
        let (stream, continuation) = AsyncThrowingStream<JournalBatch, any Error>.makeStream()
        self.continuation = continuation
        batches = JournalBatches(stream: stream, credits: credits)
        continuation.onTermination = { [weak self] _ in
            // The consumer went away: let the reader thread end.
            self?.stop()
        }
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Starts the journal thread: opens the journal, installs the selection, moves to the start
    /// point, and returns where reading begins. Batches then arrive on ``batches``.
    ///
    /// Throws a ``JournalError`` if the journal cannot be opened or positioned (``batches`` then
    /// ends with the same error), or if the source was already started.
    @discardableResult
    public func start() async throws -> JournalStartReport {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else {
            throw JournalError(
                operation: "start a journal source", code: EALREADY, hint: "a JournalSource starts once; make a new one"
            )
        }
        return try await withCheckedThrowingContinuation {
            (ready: CheckedContinuation<JournalStartReport, any Error>) in
            let thread = Thread { [self] in self.run(ready: ready) }
            thread.name = "bouncetail-journal"
            thread.start()
        }
    }

    /// Asks the journal thread to stop. It closes the journal and ends ``batches``; a batch not yet
    /// taken is dropped (its position was never handed out, so nothing is lost). Safe to call at any
    /// time, from any thread, more than once.
    public func stop() {
        state.withLock { $0.stopRequested = true }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// The trusted unit patterns no entry of the journal came from, as found at ``start()``: a
    /// misnamed unit (the MTA runs as `postfix@-.service`, not `postfix.service`) trusts nothing.
    public var unitsNotFound: [String] { state.withLock { $0.unitsNotFound } }

    /// Totals so far.
    public var counters: JournalCounters { state.withLock { $0.counters } }

    private var stopRequested: Bool { state.withLock { $0.stopRequested } }

    // MARK: The journal thread

    private func run(ready: CheckedContinuation<JournalStartReport, any Error>) {
        let reader: JournalReader
        do {
            reader = try JournalReader(location: options.location, selection: options.selection, trust: options.trust)
            if let trust = options.trust, !trust.units.isEmpty {
                let present = reader.unitsPresent()
                let absent = trust.units.filter { pattern in
                    !present.contains { JournalTrust.glob(pattern, matches: $0) }
                }
                state.withLock { $0.unitsNotFound = absent }
            }
            let report = try reader.position(at: options.start, overlapMicroseconds: options.resumeOverlapMicroseconds)
            ready.resume(returning: report)
        } catch {
            continuation.finish(throwing: error)
            ready.resume(throwing: error)
            return
        }
        do {
            try read(reader)
            reader.close()
            continuation.finish()
        } catch {
            reader.close()
            continuation.finish(throwing: error)
        }
    }

    private func read(_ reader: JournalReader) throws(JournalError) {
        while !stopRequested {
            let scan = reader.scan(maxEntries: options.maxEntriesPerBatch, maxScanned: options.maxScannedPerBatch)
            state.withLock {
                $0.counters.scanned += scan.scanned
                $0.counters.kept += scan.entries.count
                $0.counters.skippedCorrupt += scan.skippedCorrupt
                $0.counters.filtered += scan.filtered
                $0.counters.untrusted += scan.untrusted.values.reduce(0, +)
            }
            if let position = scan.position, scan.scanned > 0 {
                let batch = JournalBatch(
                    entries: scan.entries, position: position, scanned: scan.scanned,
                    skippedCorrupt: scan.skippedCorrupt, untrusted: scan.untrusted)
                guard hand(batch) else { return }
            }
            guard scan.reachedEnd else { continue }
            if options.mode == .backfill { return }
            if try reader.wait(maxMilliseconds: options.maxWaitMilliseconds, wakeFD: wakeRead) == .invalidate {
                state.withLock { $0.counters.invalidations += 1 }
            }
        }
    }

    /// Hands a batch to the consumer once it has room; false when the source is stopping.
    private func hand(_ batch: JournalBatch) -> Bool {
        while credits.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if stopRequested { return false }
        }
        if case .terminated = continuation.yield(batch) { return false }
        state.withLock { $0.counters.batches += 1 }
        return true
    }
}
