import BounceCore
import CSystemd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An open `sd_journal` handle and the reading done with it.
///
/// sd-journal(3): a handle must only be used from one thread. A `JournalReader` is created, used
/// and closed on the journal thread of its ``JournalSource`` and never leaves it, which is why it
/// is neither `Sendable` nor shared.
final class JournalReader {
    private var handle: OpaquePointer?
    private let filter: JournalIdentifierFilter
    private let trust: JournalTrust?
    /// The inotify descriptor sd-journal watches the journal with, or -1 if it has none.
    private let journalFD: Int32

    /// Opens the journal, installs the selection's matches, and starts watching for changes.
    init(location: JournalLocation, selection: JournalSelection, trust: JournalTrust?) throws(JournalError) {
        var opened: OpaquePointer?
        let result: Int32
        let what: String
        switch location {
        case .local:
            what = "open the local journal"
            result = sd_journal_open(&opened, Int32(SD_JOURNAL_LOCAL_ONLY))
        case .directory(let path):
            what = "open journal directory \(path)"
            result = sd_journal_open_directory(&opened, path, 0)
        case .files(let paths):
            what = "open journal files \(paths.joined(separator: ", "))"
            var cPaths: [UnsafePointer<CChar>?] = paths.map { UnsafePointer(strdup($0)) }
            cPaths.append(nil)
            defer { for path in cPaths { free(UnsafeMutablePointer(mutating: path)) } }
            result = cPaths.withUnsafeMutableBufferPointer { sd_journal_open_files(&opened, $0.baseAddress, 0) }
        }
        guard result >= 0, let opened else { throw JournalError.sd(what, result) }
        handle = opened
        filter = JournalIdentifierFilter(patterns: selection.identifiers)
        self.trust = trust

        // Whole fields, not the default 64 KiB prefix: journald's own line limit keeps them bounded.
        _ = sd_journal_set_data_threshold(opened, 0)
        // Asked for before reading so that changes made while we read are not missed (sd_journal_get_fd(3)).
        journalFD = sd_journal_get_fd(opened)

        for (index, match) in selection.matches.enumerated() {
            if index > 0 {
                let r = sd_journal_add_disjunction(opened)
                guard r >= 0 else { close(); throw JournalError.sd("add journal match disjunction", r) }
            }
            let bytes = Array(match.utf8)
            guard bytes.contains(UInt8(ascii: "=")) else {
                close()
                throw JournalError(
                    operation: "add journal match \"\(match)\"", code: EINVAL,
                    hint: "a journal match is FIELD=value, e.g. _SYSTEMD_UNIT=postfix@-.service")
            }
            let r = bytes.withUnsafeBytes { sd_journal_add_match(opened, $0.baseAddress, $0.count) }
            guard r >= 0 else { close(); throw JournalError.sd("add journal match \"\(match)\"", r) }
        }
    }

    deinit { close() }

    /// Closes the handle; further calls do nothing.
    func close() {
        if let handle { sd_journal_close(handle) }
        handle = nil
    }

    // MARK: Positioning

    /// Moves to the start point so that the next ``scan(maxEntries:maxScanned:)`` returns the first
    /// entry to deliver.
    func position(at start: JournalStartPoint, overlapMicroseconds: Int64) throws(JournalError) -> JournalStartReport {
        guard let handle else { throw JournalError(operation: "position the journal", code: EBADF) }
        switch start {
        case .head:
            try check(sd_journal_seek_head(handle), "seek to the journal head")
            return .head
        case .tail:
            try check(sd_journal_seek_tail(handle), "seek to the journal tail")
            // Step onto the last entry so that the next `next` returns the first new one.
            let stepped = sd_journal_previous(handle)
            try check(stepped, "step back from the journal tail")
            if stepped == 0 {
                // No entry matches yet (a fresh journal, a host whose MTA has not logged): there is no
                // entry to stand on, and from a bare tail seek later entries were seen to be missed.
                // From the head, the first matching entry is the first new one.
                try check(sd_journal_seek_head(handle), "seek to the head of a journal without matching entries")
            }
            return .tail
        case .since(let time):
            try check(sd_journal_seek_realtime_usec(handle, UInt64(max(0, time.microseconds))), "seek to realtime")
            return .since(time)
        case .after(let position):
            if sd_journal_seek_cursor(handle, position.cursor) >= 0, sd_journal_next(handle) > 0,
                sd_journal_test_cursor(handle, position.cursor) > 0
            {
                // Standing on the stored entry: the next `next` returns the one after it.
                return .afterCursor(position)
            }
            let from = LogTime(microseconds: max(0, position.realtime.microseconds - overlapMicroseconds))
            try check(
                sd_journal_seek_realtime_usec(handle, UInt64(from.microseconds)),
                "seek to realtime after the stored cursor was not found")
            return .cursorNotFound(position, resumedFrom: from, overlapMicroseconds: overlapMicroseconds)
        }
    }

    // MARK: Units present

    /// Every `_SYSTEMD_UNIT` value in the open journal files (sd-journal's field index, not a scan;
    /// matches do not apply), for warning about a trusted unit that never logged.
    func unitsPresent() -> Set<String> {
        guard let handle else { return [] }
        var units = Set<String>()
        guard sd_journal_query_unique(handle, "_SYSTEMD_UNIT") >= 0 else { return [] }
        let prefix = "_SYSTEMD_UNIT=".utf8.count
        var data: UnsafeRawPointer?
        var length = 0
        while sd_journal_enumerate_available_unique(handle, &data, &length) > 0 {
            guard let data, length > prefix else { continue }
            units.insert(
                String(decoding: UnsafeRawBufferPointer(start: data + prefix, count: length - prefix), as: UTF8.self))
        }
        sd_journal_restart_unique(handle)
        return units
    }

    // MARK: Reading

    /// What one scan produced.
    struct Scan {
        var entries: [JournalEntry] = []
        var scanned = 0
        var skippedCorrupt = 0
        /// Entries the identifier filter dropped.
        var filtered = 0
        /// Entries the trust check refused, by sender.
        var untrusted: [JournalProvenance: Int] = [:]
        /// The last entry scanned, kept or not; nil when nothing was scanned.
        var position: JournalPosition?
        /// The scan stopped because the journal had no further entry (rather than a full batch).
        var reachedEnd = false
    }

    /// A run of `sd_journal_next` that stops after `maxEntries` kept entries, `maxScanned` scanned
    /// ones, or at the current end of the journal. Corrupt entries are skipped and counted.
    func scan(maxEntries: Int, maxScanned: Int) -> Scan {
        var scan = Scan()
        guard let handle else {
            scan.reachedEnd = true
            return scan
        }
        var positionPending = false
        var consecutiveFailures = 0
        scan.entries.reserveCapacity(min(maxEntries, 1024))
        while scan.entries.count < maxEntries, scan.scanned < maxScanned {
            let step = sd_journal_next(handle)
            if step == 0 {
                scan.reachedEnd = true
                break
            }
            if step < 0 {
                // sd-journal drops a file it cannot iterate; a run of failures means we are stuck
                // at one place, so stop here and let the caller wait or finish.
                scan.skippedCorrupt += 1
                consecutiveFailures += 1
                if consecutiveFailures >= 16 {
                    scan.reachedEnd = true
                    break
                }
                continue
            }
            consecutiveFailures = 0
            scan.scanned += 1
            positionPending = true

            let identifier: String?
            switch field(handle, "SYSLOG_IDENTIFIER") {
            case .absent:
                identifier = nil
            case .failed:
                scan.skippedCorrupt += 1
                continue
            case .value(let bytes):
                if !filter.acceptsEverything,
                    !filter.accepts(
                        bytes: UnsafeBufferPointer(
                            start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
                {
                    scan.filtered += 1
                    continue
                }
                identifier = String(decoding: bytes, as: UTF8.self)
            }
            if identifier == nil, !filter.acceptsEverything {
                scan.filtered += 1
                continue
            }

            guard let entry = readEntry(handle, identifier: identifier) else {
                scan.skippedCorrupt += 1
                continue
            }
            // After the identifier filter, so that what is counted is what claims to be the MTA
            // (dovecot's mail-facility entries are not the MTA's and are not untrusted either).
            if let trust, !trust.decide(entry.provenance).isAdmitted {
                scan.untrusted[entry.provenance, default: 0] += 1
                continue
            }
            scan.entries.append(entry)
            scan.position = entry.position
            positionPending = false
        }
        if positionPending, let position = currentPosition(handle) {
            scan.position = position
        }
        return scan
    }

    private func readEntry(_ handle: OpaquePointer, identifier: String?) -> JournalEntry? {
        var realtime: UInt64 = 0
        guard sd_journal_get_realtime_usec(handle, &realtime) >= 0, let cursor = cursor(handle) else { return nil }

        // One pass over the entry's fields: each sd_journal_get_data call walks them all again.
        var message: [UInt8]?
        var pid: Int?
        var facility: Int?
        var unit: String?
        var hostname: String?
        var uid: Int?
        var comm: String?
        var exe: String?
        sd_journal_restart_data(handle)
        while true {
            var data: UnsafeRawPointer?
            var length = 0
            let r = sd_journal_enumerate_data(handle, &data, &length)
            if r == 0 { break }
            guard r > 0 else { return nil }
            guard let data else { continue }
            // `NAME=value`, not NUL-terminated.
            let field = UnsafeRawBufferPointer(start: data, count: length)
            if let value = Self.value(of: "MESSAGE=", in: field) {
                message = Array(value)
            } else if let value = Self.value(of: "_PID=", in: field) {
                pid = Self.decimal(value)
            } else if let value = Self.value(of: "SYSLOG_FACILITY=", in: field) {
                facility = Self.decimal(value)
            } else if let value = Self.value(of: "_SYSTEMD_UNIT=", in: field) {
                unit = String(decoding: value, as: UTF8.self)
            } else if let value = Self.value(of: "_HOSTNAME=", in: field) {
                hostname = String(decoding: value, as: UTF8.self)
            } else if let value = Self.value(of: "_UID=", in: field) {
                uid = Self.decimal(value)
            } else if let value = Self.value(of: "_COMM=", in: field) {
                comm = String(decoding: value, as: UTF8.self)
            } else if let value = Self.value(of: "_EXE=", in: field) {
                exe = String(decoding: value, as: UTF8.self)
            }
        }
        // sd-journal reports a damaged data object (bad header, payload that does not decompress)
        // as a missing field rather than an error, and every MTA entry has a MESSAGE: an entry
        // without one is counted as unreadable.
        guard let message else { return nil }
        return JournalEntry(
            message: message, identifier: identifier, pid: pid, realtime: LogTime(microseconds: Int64(realtime)),
            unit: unit, facility: facility, hostname: hostname, uid: uid, comm: comm, exe: exe, cursor: cursor)
    }

    /// The value of `field` if it is `name` (given with its `=`).
    private static func value(of name: StaticString, in field: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let count = name.utf8CodeUnitCount
        guard field.count >= count, let base = field.baseAddress, memcmp(base, name.utf8Start, count) == 0 else {
            return nil
        }
        return UnsafeRawBufferPointer(rebasing: field[count...])
    }

    /// A decimal value; anything else (empty, signs, junk, overflow) is treated as absent: it is
    /// not ours to reject the entry for.
    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private func currentPosition(_ handle: OpaquePointer) -> JournalPosition? {
        var realtime: UInt64 = 0
        guard sd_journal_get_realtime_usec(handle, &realtime) >= 0, let cursor = cursor(handle) else { return nil }
        return JournalPosition(cursor: cursor, realtime: LogTime(microseconds: Int64(realtime)))
    }

    private func cursor(_ handle: OpaquePointer) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard sd_journal_get_cursor(handle, &text) >= 0, let text else { return nil }
        defer { free(text) }
        return String(cString: text)
    }

    private enum FieldRead {
        case absent
        /// The value after `NAME=`; valid until the next sd-journal call.
        case value(UnsafeRawBufferPointer)
        case failed(Int32)
    }

    private func field(_ handle: OpaquePointer, _ name: String) -> FieldRead {
        var data: UnsafeRawPointer?
        var length = 0
        let r = sd_journal_get_data(handle, name, &data, &length)
        if r == -ENOENT { return .absent }
        if r < 0 { return .failed(r) }
        // The data is `NAME=value`, not NUL-terminated: use the length.
        let prefix = name.utf8.count + 1
        guard let data, length >= prefix else { return .failed(-EBADMSG) }
        return .value(UnsafeRawBufferPointer(start: data + prefix, count: length - prefix))
    }

    // MARK: Waiting

    /// What woke ``wait(maxMilliseconds:wakeFD:)``.
    enum Wake {
        /// Nothing changed (timeout).
        case nothing
        /// Entries were appended.
        case append
        /// Files were added or removed (rotation, vacuum, a new file in a followed directory).
        case invalidate
        /// The wake descriptor was signalled (stop requested).
        case woken
    }

    /// Waits until the journal changes, `wakeFD` becomes readable, or `maxMilliseconds` pass.
    func wait(maxMilliseconds: Int32, wakeFD: Int32) throws(JournalError) -> Wake {
        guard let handle else { return .woken }
        var woken = false
        if journalFD >= 0 {
            var timeout = maxMilliseconds
            var deadline: UInt64 = 0
            if sd_journal_get_timeout(handle, &deadline) >= 0, deadline != UInt64.max {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let nowMicros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
                let remaining = deadline > nowMicros ? (deadline - nowMicros + 999) / 1_000 : 0
                timeout = Int32(min(UInt64(timeout), remaining))
            }
            let events = sd_journal_get_events(handle)
            guard events >= 0 else { throw JournalError.sd("ask which journal events to wait for", events) }
            var fds = [
                pollfd(fd: journalFD, events: Int16(truncatingIfNeeded: events), revents: 0),
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0, errno != EINTR {
                throw JournalError(operation: "wait for journal changes (poll)", code: errno)
            }
            if ready > 0, fds[1].revents != 0 {
                woken = true
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wakeFD, &sink, sink.count) > 0 {}
            }
        } else {
            // No inotify descriptor (sd-journal could not get one): fall back to a bounded wait.
            let r = sd_journal_wait(handle, UInt64(maxMilliseconds) * 1_000)
            guard r >= 0 else { throw JournalError.sd("wait for journal changes", r) }
            return Self.wake(r)
        }
        let processed = sd_journal_process(handle)
        guard processed >= 0 else { throw JournalError.sd("process journal changes", processed) }
        return woken ? .woken : Self.wake(processed)
    }

    private static func wake(_ result: Int32) -> Wake {
        switch Int(result) {
        case Int(SD_JOURNAL_APPEND): return .append
        case Int(SD_JOURNAL_INVALIDATE): return .invalidate
        default: return .nothing
        }
    }

    private func check(_ result: Int32, _ what: String) throws(JournalError) {
        if result < 0 { throw JournalError.sd(what, result) }
    }
}
