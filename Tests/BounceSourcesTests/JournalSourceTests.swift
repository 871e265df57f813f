import BounceCore
import Foundation
import Testing

@testable import BounceSources

/// JournalSource against real journal files written by systemd-journal-remote.
@Suite("Journal source", .enabled(if: JournalFixture.remoteTool != nil, JournalFixture.missingToolReason))
struct JournalSourceTests {
    private func backfill(
        _ location: JournalLocation, selection: JournalSelection = .everything, start: JournalStartPoint = .head,
        batch: Int = 512, overlap: Int64 = 300_000_000
    ) throws -> JournalSource {
        try JournalSource(
            options: JournalOptions(
                location: location, selection: selection, start: start, mode: .backfill, maxEntriesPerBatch: batch,
                maxScannedPerBatch: batch, resumeOverlapMicroseconds: overlap))
    }

    @Test("a full read returns every entry in order with its fields")
    func fullRead() async throws {
        let dir = try JournalFixture.temporaryDirectory("full")
        defer { JournalFixture.remove(dir) }
        var written = JournalFixture.entries(20)
        written[3].unit = nil
        written[3].facility = nil
        written[3].pid = nil
        try JournalFixture.makeJournal(at: dir + "/a.journal", written)

        let source = try backfill(.directory(dir))
        let report = try await source.start()
        #expect(report == .head)
        let got = try await collect(source)

        #expect(got.entries.map(\.messageText) == written.map { String(decoding: $0.message, as: UTF8.self) })
        #expect(got.entries.map(\.realtime.microseconds) == written.map(\.realtime))
        #expect(got.entries.map(\.pid) == written.map(\.pid))
        #expect(got.entries.allSatisfy { $0.identifier == "postfix/smtp" && $0.hostname == "mail" })
        #expect(got.entries[0].unit == "postfix@-.service")
        #expect(got.entries[0].facility == 2)
        #expect(got.entries[3].unit == nil && got.entries[3].facility == nil && got.entries[3].pid == nil)
        #expect(Set(got.entries.map(\.cursor)).count == 20)
        #expect(got.batches.last?.position == got.entries.last?.position)
        #expect(source.counters.scanned == 20 && source.counters.kept == 20)
        #expect(source.counters.skippedCorrupt == 0 && source.counters.filtered == 0)
    }

    @Test("explicit files are read like a directory")
    func explicitFiles() async throws {
        let dir = try JournalFixture.temporaryDirectory("files")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(5))
        try JournalFixture.makeJournal(at: dir + "/b.journal", JournalFixture.entries(5, from: 5))
        let source = try backfill(.files([dir + "/b.journal", dir + "/a.journal"]))
        try await source.start()
        let got = try await collect(source)
        #expect(got.entries.map(\.pid) == (0..<10).map { 1000 + $0 })
    }

    @Test("entries dropped by the identifier filter still advance the batch position")
    func filterAdvancesCursor() async throws {
        let dir = try JournalFixture.temporaryDirectory("filter")
        defer { JournalFixture.remove(dir) }
        let kept = JournalFixture.entries(2)
        let dropped = JournalFixture.entries(8, from: 2, identifier: "dovecot", unit: "dovecot.service")
        try JournalFixture.makeJournal(at: dir + "/a.journal", kept + dropped)

        // The cursor of the very last entry, learned without a filter.
        let all = try backfill(.directory(dir))
        try await all.start()
        let lastCursor = try #require(try await collect(all).entries.last?.cursor)

        let filtered = try backfill(.directory(dir), selection: JournalSelection(identifiers: ["postfix/"]))
        try await filtered.start()
        let got = try await collect(filtered)
        #expect(got.entries.map(\.pid) == [1000, 1001])
        #expect(got.batches.last?.position.cursor == lastCursor)
        #expect(got.batches.reduce(0) { $0 + $1.scanned } == 10)
        #expect(filtered.counters.filtered == 8)

        // A sparse filter with small batches still hands over positions for batches with nothing kept.
        let sparse = try backfill(.directory(dir), selection: JournalSelection(identifiers: ["postfix/"]), batch: 3)
        try await sparse.start()
        let sparseBatches = try await collect(sparse).batches
        #expect(sparseBatches.contains { $0.entries.isEmpty && $0.scanned > 0 })
        #expect(sparseBatches.last?.position.cursor == lastCursor)

        // Resuming there reads nothing again.
        let position = try #require(got.batches.last?.position)
        let resumed = try backfill(
            .directory(dir), selection: JournalSelection(identifiers: ["postfix/"]), start: .after(position))
        #expect(try await resumed.start() == .afterCursor(position))
        #expect(try await collect(resumed).entries.isEmpty)
    }

    @Test("resuming after a batch's cursor repeats no entry and misses none")
    func resumeFromCursor() async throws {
        let dir = try JournalFixture.temporaryDirectory("resume")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(15))
        try JournalFixture.makeJournal(at: dir + "/b.journal", JournalFixture.entries(15, from: 15))
        let expected = (0..<30).map { 1000 + $0 }

        // Stop after each batch in turn and resume from its position: every cut point, both files.
        for cut in 1...4 {
            let first = try backfill(.directory(dir), batch: 7)
            try await first.start()
            let head = try await collect(first, enough: { $0.batches.count == cut })
            let position = try #require(head.batches.last?.position)

            let second = try backfill(.directory(dir), start: .after(position), batch: 7)
            #expect(try await second.start() == .afterCursor(position))
            let tail = try await collect(second)
            #expect((head.entries + tail.entries).compactMap(\.pid) == expected, "cut after batch \(cut)")
        }
    }

    @Test("when the cursor's file is gone, reading resumes from its realtime minus the overlap, and says so")
    func resumeAfterCursorFileRemoved() async throws {
        let dir = try JournalFixture.temporaryDirectory("vacuum")
        defer { JournalFixture.remove(dir) }
        let older = JournalFixture.entries(10)
        // The newer file starts 2 s after the stored entry: inside a 5 s overlap, so the fallback
        // re-reads it, which the dedup key later absorbs.
        var newer = JournalFixture.entries(10, from: 7)
        for index in newer.indices { newer[index].monotonic += 100_000 }
        try JournalFixture.makeJournal(at: dir + "/a.journal", older)
        try JournalFixture.makeJournal(at: dir + "/b.journal", newer)

        let all = try backfill(.directory(dir))
        try await all.start()
        let stored = try #require(try await collect(all).entries.first { $0.pid == 1005 }).position

        try FileManager.default.removeItem(atPath: dir + "/a.journal")
        let resumed = try backfill(.directory(dir), start: .after(stored), overlap: 5_000_000)
        let report = try await resumed.start()
        #expect(
            report
                == .cursorNotFound(
                    stored, resumedFrom: LogTime(microseconds: stored.realtime.microseconds - 5_000_000),
                    overlapMicroseconds: 5_000_000))
        #expect(report.description.contains("cursor not found"))
        let got = try await collect(resumed)
        #expect(got.entries.compactMap(\.pid) == (7..<17).map { 1000 + $0 })
    }

    @Test("a stale cursor whose entry is later than everything left still finds the newer entries")
    func resumeFallbackSkipsOlder() async throws {
        let dir = try JournalFixture.temporaryDirectory("vacuum2")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(10))
        var newer = JournalFixture.entries(5, from: 100)
        for index in newer.indices { newer[index].bootID = "fedcba9876543210fedcba9876543210" }
        try JournalFixture.makeJournal(at: dir + "/b.journal", newer)

        let all = try backfill(.directory(dir))
        try await all.start()
        let stored = try #require(try await collect(all).entries.first { $0.pid == 1009 }).position
        try FileManager.default.removeItem(atPath: dir + "/a.journal")

        let resumed = try backfill(.directory(dir), start: .after(stored), overlap: 1_000_000)
        #expect(try await resumed.start().isFallback)
        #expect(try await collect(resumed).entries.compactMap(\.pid) == (100..<105).map { 1000 + $0 })
    }

    @Test("a new journal file appearing in a followed directory is picked up")
    func followNewFile() async throws {
        let dir = try JournalFixture.temporaryDirectory("follow")
        let staging = try JournalFixture.temporaryDirectory("follow-staging")
        defer {
            JournalFixture.remove(dir)
            JournalFixture.remove(staging)
        }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(10))
        // From the tail: what is there now is not delivered, only what comes later.
        let source = try JournalSource(
            options: JournalOptions(location: .directory(dir), selection: .everything, start: .tail, mode: .follow))
        #expect(try await source.start() == .tail)

        try JournalFixture.makeJournal(at: staging + "/b.journal", JournalFixture.entries(10, from: 10))
        try FileManager.default.moveItem(atPath: staging + "/b.journal", toPath: dir + "/b.journal")
        let got = try await collect(source, enough: { $0.entries.count >= 10 })
        #expect(got.entries.compactMap(\.pid) == (10..<20).map { 1000 + $0 })
        #expect(source.counters.invalidations >= 1)
    }

    @Test("following from the head delivers the present entries, then a later file's")
    func followFromHead() async throws {
        let dir = try JournalFixture.temporaryDirectory("follow-head")
        let staging = try JournalFixture.temporaryDirectory("follow-head-staging")
        defer {
            JournalFixture.remove(dir)
            JournalFixture.remove(staging)
        }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(10))
        let source = try JournalSource(
            options: JournalOptions(location: .directory(dir), selection: .mail, start: .head, mode: .follow))
        try await source.start()
        let got = try await collect(
            source, enough: { $0.entries.count >= 20 },
            afterBatch: { collected in
                // Once the present entries are in, drop in the next file.
                if collected.entries.count == 10 {
                    try JournalFixture.makeJournal(at: staging + "/b.journal", JournalFixture.entries(10, from: 10))
                    try FileManager.default.moveItem(atPath: staging + "/b.journal", toPath: dir + "/b.journal")
                }
            })
        #expect(got.entries.compactMap(\.pid) == (0..<20).map { 1000 + $0 })
    }

    @Test("stop ends a follower that is waiting for changes")
    func stopEndsFollower() async throws {
        let dir = try JournalFixture.temporaryDirectory("stop")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(3))
        let source = try JournalSource(
            options: JournalOptions(
                location: .directory(dir), selection: .everything, start: .head, mode: .follow,
                maxWaitMilliseconds: 600_000))
        try await source.start()
        let got = try await collect(
            source,
            afterBatch: { collected in
                if collected.entries.count == 3 { source.stop() }
            })
        // It ended (we are here) with what it had, although the wait could have lasted ten minutes.
        #expect(got.entries.count == 3)
    }

    @Test("sd-journal matches select by unit and by facility, OR-ed")
    func matchesOnUnitAndFacility() async throws {
        let dir = try JournalFixture.temporaryDirectory("match")
        defer { JournalFixture.remove(dir) }
        let base = JournalFixture.baseRealtime
        let written = [
            ExportEntry(
                "postfix", identifier: "postfix/smtp", pid: 1, realtime: base, monotonic: 1_000,
                unit: "postfix@-.service", facility: 2),
            ExportEntry(
                "exim", identifier: "exim", pid: 2, realtime: base + 1, monotonic: 1_001, unit: "exim4.service",
                facility: 2),
            ExportEntry(
                "ssh", identifier: "sshd", pid: 3, realtime: base + 2, monotonic: 1_002, unit: "ssh.service",
                facility: 4),
            ExportEntry(
                "dovecot", identifier: "dovecot", pid: 4, realtime: base + 3, monotonic: 1_003, unit: "dovecot.service",
                facility: 2),
            ExportEntry(
                "kernel", identifier: "kernel", pid: 5, realtime: base + 4, monotonic: 1_004, unit: nil, facility: 0),
            ExportEntry(
                "postfix-out", identifier: "postfix-out/smtp", pid: 6, realtime: base + 5, monotonic: 1_005,
                unit: "postfix@out.service", facility: 2),
        ]
        try JournalFixture.makeJournal(at: dir + "/a.journal", written)

        func pids(_ selection: JournalSelection) async throws -> [Int] {
            let source = try backfill(.directory(dir), selection: selection)
            try await source.start()
            return try await collect(source).entries.compactMap(\.pid)
        }
        #expect(try await pids(JournalSelection(units: ["postfix@-.service", "exim4.service"])) == [1, 2])
        #expect(try await pids(JournalSelection(facilities: [2])) == [1, 2, 4, 6])
        #expect(try await pids(JournalSelection(units: ["ssh.service"], facilities: [0])) == [3, 5])
        #expect(try await pids(JournalSelection(extraMatches: ["SYSLOG_IDENTIFIER=sshd"])) == [3])
        // The default: units or mail facility, then only Postfix and Exim identifiers.
        #expect(try await pids(.mail) == [1, 2, 6])
        #expect(try await pids(.everything) == [1, 2, 3, 4, 5, 6])
    }

    @Test("a binary MESSAGE comes back byte for byte")
    func binaryMessage() async throws {
        let dir = try JournalFixture.temporaryDirectory("binary")
        defer { JournalFixture.remove(dir) }
        var entry = JournalFixture.entries(1)[0]
        entry.message = [0x41, 0x42, 0x00, 0xFF, 0xFE, 0x0A, 0x1B, 0x5B, 0x43, 0x0D, 0xC3, 0x28]
        try JournalFixture.makeJournal(at: dir + "/a.journal", [entry] + JournalFixture.entries(1, from: 1))
        let source = try backfill(.directory(dir))
        try await source.start()
        let got = try await collect(source)
        #expect(got.entries.count == 2)
        #expect(got.entries.first?.message == entry.message)
        #expect(got.entries.last?.messageText.hasPrefix("ABC1: to=") == true)
    }

    @Test("a corrupt entry is skipped and counted, and reading goes on past it")
    func corruptEntrySkipped() async throws {
        let dir = try JournalFixture.temporaryDirectory("corrupt")
        defer { JournalFixture.remove(dir) }
        var written = JournalFixture.entries(3)
        // Large enough to be stored compressed; its damaged payload then fails to decompress.
        written[1].message = Array(String(repeating: "B", count: 4000).utf8)
        try JournalFixture.makeJournal(at: dir + "/a.journal", written)
        #expect(try JournalFixture.corruptCompressedData(at: dir + "/a.journal") == 1)

        let source = try backfill(.directory(dir))
        try await source.start()
        let got = try await collect(source)
        #expect(got.entries.compactMap(\.pid) == [1000, 1002])
        #expect(source.counters.skippedCorrupt == 1)
        #expect(got.batches.reduce(0) { $0 + $1.skippedCorrupt } == 1)
        #expect(got.batches.last?.position == got.entries.last?.position)
    }

    @Test("since starts at the first entry at or after the given time")
    func since() async throws {
        let dir = try JournalFixture.temporaryDirectory("since")
        defer { JournalFixture.remove(dir) }
        try JournalFixture.makeJournal(at: dir + "/a.journal", JournalFixture.entries(10))
        let time = LogTime(microseconds: JournalFixture.baseRealtime + 6_000_000)
        let source = try backfill(.directory(dir), start: .since(time))
        #expect(try await source.start() == .since(time))
        #expect(try await collect(source).entries.compactMap(\.pid) == [1006, 1007, 1008, 1009])
    }

    @Test("opening what is not there fails with the path in the error, and batches end with it")
    func openFailure() async throws {
        let source = try backfill(.files(["/nonexistent/bouncetail/x.journal"]))
        await #expect(throws: JournalError.self) { try await source.start() }
        do {
            for try await _ in source.batches {}
            Issue.record("batches should end with the open error")
        } catch let error as JournalError {
            #expect(error.description.contains("/nonexistent/bouncetail/x.journal"))
        }
    }

    @Test("a match without '=' is refused with a hint")
    func badMatch() async throws {
        let dir = try JournalFixture.temporaryDirectory("badmatch")
        defer { JournalFixture.remove(dir) }
        let source = try backfill(.directory(dir), selection: JournalSelection(extraMatches: ["postfix"]))
        do {
            try await source.start()
            Issue.record("start should fail")
        } catch let error as JournalError {
            #expect(error.code == EINVAL)
            #expect(error.description.contains("FIELD=value"))
        }
    }

    @Test("the local journal opens, and a backfill from its tail ends at once")
    func localJournal() async throws {
        let source = try backfill(.local, selection: .mail, start: .tail)
        #expect(try await source.start() == .tail)
        let got = try await collect(source)
        // Whatever this machine's journal holds, at most what an MTA logged in these microseconds
        // follows its tail, and only entries the selection keeps.
        let filter = JournalIdentifierFilter(patterns: JournalSelection.mail.identifiers)
        #expect(got.entries.allSatisfy { filter.accepts($0.identifier) })
    }

    @Test("a source starts once")
    func startsOnce() async throws {
        let dir = try JournalFixture.temporaryDirectory("once")
        defer { JournalFixture.remove(dir) }
        let source = try backfill(.directory(dir))
        try await source.start()
        await #expect(throws: JournalError.self) { try await source.start() }
        _ = try await collect(source)
    }
}
