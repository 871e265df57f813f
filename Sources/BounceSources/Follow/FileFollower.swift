import BounceCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Follows log files through rotation and hands out complete lines in batches, each with the
/// position to commit after it.
///
/// **Pull API.** Call ``next(timeout:)`` from one thread (it blocks in `poll(2)` on inotify and an
/// eventfd; there is no busy polling, only a slow safety poll). It returns a ``FileBatch``, or `nil`
/// when the timeout passed or the follower was stopped (``isStopped``). ``stopHandle`` stops it from
/// any thread, promptly (a self-pipe wakes the `poll`). Reading waits for the caller: batches are produced only when asked for, so a
/// slow consumer holds bytes on disk, not in memory.
///
/// **What it handles** (see docs/files.md):
/// - rename-and-create rotation: the old file stays open and is drained to its end (and watched for
///   late writes for ``FollowConfiguration/rotateWait``) before it is let go; its lines come before
///   the new file's;
/// - copytruncate: a shrink or a change of the first bytes is a truncation; the bytes between the
///   last read and the cut are read from the rotated copy (`.1`, or `.1.gz`) found by content
///   identity, from the stored offset; without a copy it is a gap (``FollowCounters/gaps``);
/// - delaycompress (`.1`, later `.2.gz`): the drained file is read through its open descriptor;
/// - a missing file that appears later (inotify on the directory);
/// - partial last lines (never handed out before their newline; for a rotated-away file after
///   ``FollowConfiguration/partialLineTimeout``), over-long lines (skipped and counted).
///
/// **Restarts.** Give the positions committed earlier as `knownPositions`: a file whose first bytes
/// match one resumes there, and rotated siblings (`.1`, `.2.gz`, ...) that match a position not yet
/// at their end are drained first, which recovers lines written while bouncetail was down.
///
/// **Threads.** ``next(timeout:)`` blocks, so give it a dedicated thread. Calls are serialised (a
/// second concurrent `next` waits for the first); ``counters`` and ``isStopped`` may be read from any
/// thread; ``stopHandle`` stops it from any thread (or pass in a handle made beforehand):
///
/// ```swift
/// let follower = try FileFollower(paths: ["/var/log/mail.log"], knownPositions: stored)
/// Thread.detachNewThread {
///     while !follower.isStopped {
///         guard let batch = follower.next(timeout: .seconds(1)) else { continue }
///         // parse the batch's lines, commit batch.position with what they produced
///     }
/// }
/// // later, e.g. on SIGTERM: follower.stopHandle.stop()
/// ```
// @unchecked Sendable: every mutable field is touched only inside `next(timeout:)` and
// `takeWarnings()`, which run under `callLock`; what other threads read (`counters`, `isStopped`)
// is copied into `published` under its own lock. `stopHandle` is Sendable and immutable.
public final class FileFollower: @unchecked Sendable {
    /// Stops ``next(timeout:)`` from any thread.
    public let stopHandle: StopHandle
    /// What it has done so far (as of the end of the last `next` call).
    public var counters: FollowCounters { published.withLock { $0.counters } }
    /// True once stopped.
    public var isStopped: Bool { published.withLock { $0.stopped } }

    private struct Published: Sendable {
        var counters = FollowCounters()
        var stopped = false
    }
    private let published = Mutex(Published())
    private let callLock = Mutex(())
    private var tally = FollowCounters()
    private var stopped = false

    private let configuration: FollowConfiguration
    private let inotifyFD: Int32
    private var targets: [Target]
    private var knownPositions: [FilePosition]
    private var ready: [FileBatch] = []
    private var warnings: [String] = []
    private var lastFullCheck = ContinuousClock.now
    /// A read stopped at the batch limits: look again without waiting.
    private var pendingWork = false
    private let clock = ContinuousClock()
    private var readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    /// A followed file: the live one or one rotated away and being drained.
    private final class Tailed {
        let reader: ContentReader
        var identity: FileIdentity
        var splitter: LineSplitter
        var watch: Int32 = -1
        var detached = false
        var lastGrowth: ContinuousClock.Instant
        var lastSeenSize: Int64 = 0
        var atEOF = false
        /// Drained and let go.
        var finished = false
        /// A copy or compressed file: nobody writes to it any more, let go at its end.
        var finishAtEOF = false

        init(reader: ContentReader, identity: FileIdentity, offset: Int64, maxLine: Int, now: ContinuousClock.Instant) {
            self.reader = reader
            self.identity = identity
            splitter = LineSplitter(maxLineLength: maxLine, offset: offset)
            lastGrowth = now
        }
    }

    /// One followed path.
    private final class Target {
        let path: String
        let directory: String
        var dirWatch: Int32 = -1
        var current: Tailed?
        var draining: [Tailed] = []
        var started = false
        init(path: String) {
            self.path = path
            let name = RotatedName(path: path)
            directory = name.directory.isEmpty ? "." : name.directory
        }
    }

    /// Starts following `paths` (files that need not exist yet).
    ///
    /// - Parameters:
    ///   - knownPositions: positions committed earlier (any files; matched by content).
    ///   - configuration: limits and timings.
    ///   - stopHandle: the handle that stops it; a new one when `nil`.
    public init(
        paths: [String], knownPositions: [FilePosition] = [], configuration: FollowConfiguration = .init(),
        stopHandle: StopHandle? = nil
    ) throws(SourceError) {
        self.configuration = configuration
        self.knownPositions = knownPositions
        if let stopHandle {
            self.stopHandle = stopHandle
        } else {
            self.stopHandle = try StopHandle()
        }
        let ifd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard ifd >= 0 else {
            throw SourceError(
                .io, path: "inotify", offset: 0, errno: errno,
                message:
                    "cannot start inotify (\(String(cString: strerror(errno)))); raise fs.inotify.max_user_instances")
        }
        inotifyFD = ifd
        targets = paths.map(Target.init(path:))
        for target in targets { watchDirectory(target) }
    }

    deinit {
        for target in targets {
            for file in [target.current].compactMap({ $0 }) + target.draining { unwatch(file) }
        }
        close(inotifyFD)
        readBuffer.deallocate()
    }

    /// Warnings since the last call (gaps, unreadable files, corrupt copies), for the log.
    public func takeWarnings() -> [String] {
        callLock.withLock { _ in
            defer { warnings.removeAll() }
            return warnings
        }
    }

    /// The next batch of lines; `nil` when `timeout` passed without one or the follower was stopped.
    public func next(timeout: Duration) -> FileBatch? {
        callLock.withLock { _ in
            let batch = nextLocked(timeout: timeout)
            let snapshot = Published(counters: tally, stopped: stopped)
            published.withLock { $0 = snapshot }
            return batch
        }
    }

    private func nextLocked(timeout: Duration) -> FileBatch? {
        let deadline = clock.now.advanced(by: timeout)
        var mustCheck = true
        while !stopped {
            if !ready.isEmpty { return ready.removeFirst() }
            if mustCheck || pendingWork {
                pendingWork = false
                serviceAll()
                lastFullCheck = clock.now
                mustCheck = false
                if !ready.isEmpty { continue }
            }
            let now = clock.now
            if now >= deadline { return nil }
            var wake = min(deadline, lastFullCheck.advanced(by: configuration.safetyPollInterval))
            if let timer = nextTimer() { wake = min(wake, timer) }
            let woke = waitForEvents(until: wake)
            if stopped { return nil }
            if woke {
                // Let a burst of writes land so they come out as one batch.
                _ = waitForEvents(until: clock.now.advanced(by: configuration.coalesceDelay))
            }
            mustCheck = true
        }
        return nil
    }

    // MARK: - Waiting

    /// Polls inotify and the stop eventfd until `until`; true when inotify had events.
    private func waitForEvents(until: ContinuousClock.Instant) -> Bool {
        let remaining = clock.now.duration(to: until)
        let ms = max(
            0,
            Int32(
                clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            ))
        var fds = [
            pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopHandle.readFD, events: Int16(POLLIN), revents: 0),
        ]
        let rc = poll(&fds, 2, ms)
        guard rc > 0 else { return false }
        if fds[1].revents != 0 {
            stopped = true
            return false
        }
        if fds[0].revents != 0 {
            // Events only say "look again"; what changed is found by looking.
            var sink = [UInt8](repeating: 0, count: 16 * 1024)
            while sink.withUnsafeMutableBytes({ Glibc.read(inotifyFD, $0.baseAddress, $0.count) }) > 0 {}
            return true
        }
        return false
    }

    /// The earliest partial-line or rotate-wait deadline of a draining file.
    private func nextTimer() -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        for target in targets {
            for file in target.draining {
                var t = file.lastGrowth.advanced(by: configuration.rotateWait)
                if !file.splitter.pending.isEmpty || file.splitter.skipping {
                    t = min(t, file.lastGrowth.advanced(by: configuration.partialLineTimeout))
                }
                earliest = earliest.map { min($0, t) } ?? t
            }
        }
        return earliest
    }

    // MARK: - Servicing

    private func serviceAll() {
        for target in targets { service(target) }
    }

    private func service(_ target: Target) {
        if target.dirWatch < 0 { watchDirectory(target) }
        if !target.started {
            start(target)
            return
        }
        // Rotated-away files and copies first: their lines are older than the live file's, so the
        // live file waits until they have caught up (a few batches per look keeps memory bounded).
        var backlog = false
        for file in target.draining where drain(file) { backlog = true }
        target.draining.removeAll { $0.finished }
        if backlog {
            pendingWork = true
            return
        }

        if let current = target.current { readLive(current, target: target) }

        // Then look at the path itself.
        let st = FileProbe.stat(target.path)
        if let current = target.current {
            if let st, st.device == current.reader.device, st.inode == current.reader.inode { return }
            // The path no longer names our file: renamed or deleted. Read what is left, keep it open.
            readLive(current, target: target, detaching: true)
            current.detached = true
            current.lastGrowth = clock.now
            target.draining.append(current)
            target.current = nil
            tally.rotations += 1
        }
        if let st, st.isRegular { openNew(target, offset: 0) }
    }

    /// First look at a target: drain rotated siblings that hold unread lines, then open the live file.
    private func start(_ target: Target) {
        target.started = true
        var familyKnown = false
        for sibling in FileProbe.siblings(of: target.path) {
            guard let snap = FileProbe.snapshot(sibling),
                let known = FilePosition.bestMatch(
                    in: knownPositions, head: snap.head, device: snap.device, inode: snap.inode)
            else { continue }
            familyKnown = true
            if known.isComplete { continue }
            if let size = snap.size, size <= known.offset { continue }
            do {
                let reader = try ContentReader(path: sibling, offset: known.offset)
                let file = Tailed(
                    reader: reader, identity: longer(known.identity, snap), offset: known.offset,
                    maxLine: configuration.maxLineLength, now: clock.now)
                file.detached = true
                tally.filesOpened += 1
                if reader.isPlain { watch(file) }
                target.draining.append(file)
            } catch {
                warn(error.message)
            }
        }
        guard let snap = FileProbe.snapshot(target.path) else { return }
        if let known = FilePosition.bestMatch(
            in: knownPositions, head: snap.head, device: snap.device, inode: snap.inode)
        {
            let siblings = FileProbe.siblings(of: target.path).compactMap { p in
                FileProbe.snapshot(p).map { RotatedCandidate(path: p, snapshot: $0) }
            }
            switch FileChange.decide(stored: known, current: snap, candidates: siblings) {
            case .grew, .unchanged:
                openNew(target, offset: known.offset, identity: longer(known.identity, snap))
            case .truncated(let recovery):
                tally.truncations += 1
                recover(from: recovery, stored: known, target: target, seenSize: known.offset)
                openNew(target, offset: 0)
            case .rotated, .replaced, .gone:
                openNew(target, offset: 0)
            }
            return
        }
        if familyKnown || configuration.start == .beginning {
            openNew(target, offset: 0)
        } else {
            openNew(target, offset: lastLineEnd(of: target.path, size: snap.size ?? 0))
        }
    }

    private func longer(_ identity: FileIdentity, _ snap: FileSnapshot) -> FileIdentity {
        let fresh = snap.identity
        return fresh.length > identity.length && identity.matches(head: snap.head) || identity.length == 0
            ? fresh : identity
    }

    /// Opens the file now at the target's path as the live file.
    private func openNew(_ target: Target, offset: Int64, identity: FileIdentity? = nil) {
        do {
            let reader = try ContentReader(path: target.path, offset: offset)
            guard reader.isPlain else {
                warn(
                    "\(target.path) is compressed; a followed file must be plain text (compressed copies are read by backfill)"
                )
                return
            }
            let head = reader.head()
            let id = identity ?? FileIdentity(head: head, device: reader.device, inode: reader.inode)
            let file = Tailed(
                reader: reader, identity: id, offset: offset, maxLine: configuration.maxLineLength, now: clock.now)
            file.lastSeenSize = reader.size()
            watch(file)
            tally.filesOpened += 1
            target.current = file
            pendingWork = true  // read on the next pass, after anything older that is still draining
        } catch {
            warn(error.message)
        }
    }

    /// The offset just after the last newline of the first `size` bytes (for a first start at the end).
    private func lastLineEnd(of path: String, size: Int64) -> Int64 {
        guard size > 0, let reader = try? ContentReader(path: path, offset: max(0, size - 65536)), reader.isPlain else {
            return 0
        }
        let start = reader.offset
        var tail = [UInt8](repeating: 0, count: Int(size - start))
        let n = (try? tail.withUnsafeMutableBytes { try reader.read(into: $0) }) ?? 0
        guard let nl = tail[..<n].lastIndex(of: 0x0A) else { return start == 0 ? 0 : size }
        return start + Int64(nl) + 1
    }

    // MARK: - Reading

    /// Reads what the live file has; checks before and after that it was not truncated meanwhile.
    private func readLive(_ file: Tailed, target: Target, detaching: Bool = false) {
        var rounds = 0
        while rounds < 4 {
            rounds += 1
            if !detaching, !verify(file) {
                truncated(file, target: target)
                return
            }
            let before = file.splitter
            var lines = FileBatch(path: file.reader.path, position: FilePosition(identity: file.identity, offset: 0))
            let more = readSome(file, into: &lines)
            if !detaching, !verify(file) {
                // Cut while we read: what we just read may be the new content. Drop it; the copy has the old bytes.
                file.splitter = before
                file.reader.rewind(to: before.readOffset)
                truncated(file, target: target)
                return
            }
            emit(file, lines: lines, before: before)
            if !more { return }
        }
        pendingWork = true
    }

    /// True when the live file still starts with the bytes of its identity and did not shrink.
    /// Upgrades a provisional identity as the file grows.
    private func verify(_ file: Tailed) -> Bool {
        let size = file.reader.size()
        if size < file.splitter.readOffset { return false }
        file.lastSeenSize = max(file.lastSeenSize, size)
        if file.identity.length > 0 || size > 0 {
            let head = file.reader.head()
            if file.identity.length > 0 && !file.identity.matches(head: head) { return false }
            if head.count > file.identity.length {
                file.identity = FileIdentity(head: head, device: file.reader.device, inode: file.reader.inode)
            }
        }
        return true
    }

    /// Reads up to the batch limits; true when more may be waiting.
    private func readSome(_ file: Tailed, into lines: inout FileBatch) -> Bool {
        var bytes = 0
        while lines.count < configuration.maxBatchLines && bytes < configuration.maxBatchBytes {
            let n: Int
            do {
                n = try file.reader.read(into: readBuffer)
            } catch {
                warn(error.message)
                file.atEOF = true
                return false
            }
            if n == 0 {
                file.atEOF = true
                return false
            }
            file.atEOF = false
            file.lastGrowth = clock.now
            bytes += n
            file.splitter.feed(UnsafeRawBufferPointer(rebasing: readBuffer[..<n]), into: &lines)
        }
        return true
    }

    private func emit(_ file: Tailed, lines: [FileLine], before: LineSplitter, complete: Bool = false) {
        let position = FilePosition(identity: file.identity, offset: 0)
        emit(
            file, lines: FileBatch(path: file.reader.path, lines: lines, position: position), before: before,
            complete: complete)
    }

    private func emit(_ file: Tailed, lines batch: FileBatch, before: LineSplitter, complete: Bool = false) {
        tally.skippedLongLines += file.splitter.skippedLines - before.skippedLines
        let moved = file.splitter.consumed - before.consumed
        guard batch.count > 0 || moved > 0 || complete else { return }
        tally.lines += batch.count
        tally.bytes += moved
        var batch = batch
        batch.path = file.reader.path
        batch.position = FilePosition(identity: file.identity, offset: file.splitter.consumed, isComplete: complete)
        ready.append(batch)
    }

    /// Reads a rotated-away file or a copy, a few batches at a time; true when it has more to read now.
    /// Lets it go at its end (a copy, a compressed file) or once it has been quiet for `rotateWait`.
    private func drain(_ file: Tailed) -> Bool {
        var rounds = 0
        var more = true
        while more {
            if rounds == 4 { return true }
            rounds += 1
            let before = file.splitter
            var lines = FileBatch(path: file.reader.path, position: FilePosition(identity: file.identity, offset: 0))
            more = readSome(file, into: &lines)
            emit(file, lines: lines, before: before)
        }
        let quiet = file.finishAtEOF ? configuration.rotateWait : file.lastGrowth.duration(to: clock.now)
        if quiet >= configuration.partialLineTimeout {
            let before = file.splitter
            if let line = file.splitter.flushPartial() {
                tally.partialLinesFlushed += 1
                emit(file, lines: [line], before: before)
            } else {
                emit(file, lines: [], before: before)
            }
        }
        if quiet >= configuration.rotateWait || !file.reader.isPlain {
            let before = file.splitter
            _ = file.splitter.flushPartial().map { line in
                tally.partialLinesFlushed += 1
                emit(file, lines: [line], before: before)
            }
            // Done with it for good: say so, so a later backfill skips it without reading.
            emit(file, lines: [], before: file.splitter, complete: true)
            unwatch(file)
            file.finished = true
        }
        return false
    }

    /// Copytruncate: recover the cut bytes from the copy when there is one, then restart at 0.
    private func truncated(_ file: Tailed, target: Target) {
        let stored = FilePosition(identity: file.identity, offset: file.splitter.consumed)
        // Judge the inode we hold, not whatever the path names by now.
        let current = FileSnapshot(
            device: file.reader.device, inode: file.reader.inode, size: file.reader.size(), head: file.reader.head())
        let candidates = FileProbe.siblings(of: target.path).compactMap { p in
            FileProbe.snapshot(p).map { RotatedCandidate(path: p, snapshot: $0) }
        }
        switch FileChange.decide(stored: stored, current: current, candidates: candidates) {
        case .grew, .unchanged:
            // Cut inside a partial line we had buffered, the complete lines intact: re-read from there.
            file.splitter = LineSplitter(maxLineLength: configuration.maxLineLength, offset: stored.offset)
            file.reader.rewind(to: stored.offset)
            pendingWork = true
            return
        case .truncated(let recovery):
            tally.truncations += 1
            recover(from: recovery, stored: stored, target: target, seenSize: file.lastSeenSize)
        case .rotated, .replaced, .gone:
            tally.truncations += 1
            recover(from: nil, stored: stored, target: target, seenSize: file.lastSeenSize)
        }
        let head = file.reader.head()
        file.identity = FileIdentity(head: head, device: file.reader.device, inode: file.reader.inode)
        file.splitter = LineSplitter(maxLineLength: configuration.maxLineLength, offset: 0)
        file.reader.rewind(to: 0)
        file.lastSeenSize = 0
        pendingWork = true
    }

    /// Queues `path` (a rotated copy) to be read from the stored offset to its end under the stored
    /// identity, before the live file's new content; or counts a gap when there is no copy.
    private func recover(from path: String?, stored: FilePosition, target: Target, seenSize: Int64) {
        guard let path else {
            tally.gaps += 1
            let lost = max(0, seenSize - stored.offset)
            tally.gapBytes += lost
            warn(
                "\(target.path) was truncated and no rotated copy holds its bytes after offset \(stored.offset) (at least \(lost) bytes unread): lines written between the last read and the truncation are lost; prefer create-style rotation, or keep the copy (`.1`) uncompressed for one cycle (delaycompress)"
            )
            return
        }
        do {
            let reader = try ContentReader(path: path, offset: stored.offset)
            let copy = Tailed(
                reader: reader, identity: stored.identity, offset: stored.offset, maxLine: configuration.maxLineLength,
                now: clock.now)
            copy.detached = true
            copy.finishAtEOF = true
            tally.filesOpened += 1
            target.draining.append(copy)
            tally.recoveredFromCopy += 1
        } catch {
            tally.gaps += 1
            warn("cannot read the rotated copy \(path) to recover \(target.path): \(error.message)")
        }
    }

    // MARK: - inotify

    private func watchDirectory(_ target: Target) {
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE)
        target.dirWatch = inotify_add_watch(inotifyFD, target.directory, mask)
    }

    private func watch(_ file: Tailed) {
        guard file.reader.fd >= 0 else { return }
        // Through /proc so the watch lands on the inode we opened, even if the path moved since.
        file.watch = inotify_add_watch(inotifyFD, "/proc/self/fd/\(file.reader.fd)", UInt32(IN_MODIFY))
    }

    private func unwatch(_ file: Tailed) {
        if file.watch >= 0 {
            // The same inode may be watched by another descriptor of ours only via the same wd; we close one at a time.
            inotify_rm_watch(inotifyFD, file.watch)
        }
        file.watch = -1
    }

    private func warn(_ message: String) {
        if warnings.count < 1000 { warnings.append(message) }
    }
}
