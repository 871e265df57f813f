import BounceCore
import Foundation
import Testing

@testable import BounceSources

/// One entry to write into a test journal, in Journal Export Format.
struct ExportEntry {
    var message: [UInt8]
    var identifier: String? = "postfix/smtp"
    var pid: Int? = 4242
    var realtime: Int64
    var monotonic: Int64
    var bootID = "0123456789abcdef0123456789abcdef"
    var hostname: String? = "mail"
    var unit: String? = "postfix@-.service"
    var facility: Int? = 2
    /// `_UID`, `_COMM`, `_EXE`: journald sets them from the sender; systemd-journal-remote keeps what it is given.
    var uid: Int?
    var comm: String?
    var exe: String?

    init(
        _ message: String, identifier: String? = "postfix/smtp", pid: Int? = 4242, realtime: Int64, monotonic: Int64,
        unit: String? = "postfix@-.service", facility: Int? = 2, hostname: String? = "mail"
    ) {
        self.message = Array(message.utf8)
        self.identifier = identifier
        self.pid = pid
        self.realtime = realtime
        self.monotonic = monotonic
        self.unit = unit
        self.facility = facility
        self.hostname = hostname
    }
}

/// Makes journal files with `systemd-journal-remote` from export-format input, the way a real
/// journal is written (same file format, hashing, compression, cursors).
enum JournalFixture {
    /// The tool, or nil when it is not installed (tests then skip, saying so).
    static let remoteTool: String? = [
        "/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote",
    ].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let missingToolReason: Comment =
        "systemd-journal-remote not found (Debian: apt-get install systemd-journal-remote): journal tests skipped"

    /// A fixed base time (2026-11-26 10:00:00 UTC) so that realtime values are readable in failures.
    static let baseRealtime: Int64 = 1_795_687_200_000_000

    /// `count` Postfix-style entries, one second apart from `baseRealtime + first` seconds, with
    /// monotonic timestamps increasing with `first` so that entries of later files sort later.
    static func entries(
        _ count: Int, from first: Int = 0, identifier: String = "postfix/smtp", unit: String? = "postfix@-.service"
    ) -> [ExportEntry] {
        (first..<(first + count)).map { index in
            ExportEntry(
                "ABC\(index): to=<user\(index)@example.org>, relay=mx.example.org[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)",
                identifier: identifier, pid: 1000 + index, realtime: baseRealtime + Int64(index) * 1_000_000,
                monotonic: 5_000_000 + Int64(index) * 1_000, unit: unit)
        }
    }

    /// The export-format bytes of `entries`. MESSAGE always uses the binary form (`NAME\n`,
    /// little-endian 64-bit length, data, `\n`) so that any bytes survive.
    static func export(_ entries: [ExportEntry]) -> [UInt8] {
        var out: [UInt8] = []
        func text(_ name: String, _ value: String?) {
            guard let value else { return }
            out += Array("\(name)=\(value)\n".utf8)
        }
        for entry in entries {
            text("__REALTIME_TIMESTAMP", String(entry.realtime))
            text("__MONOTONIC_TIMESTAMP", String(entry.monotonic))
            text("_BOOT_ID", entry.bootID)
            text("_HOSTNAME", entry.hostname)
            text("SYSLOG_IDENTIFIER", entry.identifier)
            text("_PID", entry.pid.map(String.init))
            text("_SYSTEMD_UNIT", entry.unit)
            text("SYSLOG_FACILITY", entry.facility.map(String.init))
            text("_UID", entry.uid.map(String.init))
            text("_COMM", entry.comm)
            text("_EXE", entry.exe)
            out += Array("MESSAGE\n".utf8)
            var length = UInt64(entry.message.count).littleEndian
            withUnsafeBytes(of: &length) { out += $0 }
            out += entry.message
            out += [0x0A, 0x0A]
        }
        return out
    }

    struct ToolFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes `entries` into a new journal file at `path` (must end in `.journal`).
    static func makeJournal(at path: String, _ entries: [ExportEntry]) throws {
        let input = path + ".export"
        try Data(export(entries)).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        try makeJournal(at: path, fromExportFile: input)
    }

    /// Runs `systemd-journal-remote --output=PATH -` with the export file on its standard input.
    static func makeJournal(at path: String, fromExportFile input: String) throws {
        guard let tool = remoteTool else { throw ToolFailed(description: "systemd-journal-remote is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--output=\(path)", "-"]
        process.standardInput = FileHandle(forReadingAtPath: input)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailed(
                description:
                    "systemd-journal-remote exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))"
            )
        }
    }

    /// Damages every compressed data object of a journal file (the payload's tail bytes), as an
    /// unclean shutdown or a bad disk would; returns how many objects it damaged. Small fields are
    /// stored uncompressed, so only a large MESSAGE (over 512 bytes) is hit.
    ///
    /// Walks the objects from the end of the header: each starts with a type byte, a flags byte,
    /// six reserved bytes and a little-endian 64-bit size, and the next one starts 8-byte aligned.
    static func corruptCompressedData(at path: String) throws -> Int {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func le64(_ offset: Int) -> Int {
            (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        let dataObject: UInt8 = 1
        var offset = le64(88)  // header_size
        var damaged = 0
        while offset + 16 <= bytes.count {
            let size = le64(offset + 8)
            guard size >= 16, offset + size <= bytes.count else { break }
            if bytes[offset] == dataObject, bytes[offset + 1] != 0 {
                for index in (offset + size - 20)..<(offset + size - 4) { bytes[index] ^= 0x5A }
                damaged += 1
            }
            offset += (size + 7) & ~7
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return damaged
    }

    /// A fresh empty directory under the temporary directory.
    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "bouncetail-journal-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Reads a source to its end (backfill) or until `enough` says stop (follow), with a watchdog that
/// stops the source after `limit` seconds so a broken follower fails the test instead of hanging it.
struct Collected {
    var entries: [JournalEntry] = []
    var batches: [JournalBatch] = []
}

func collect(
    _ source: JournalSource, limit: Double = 30, enough: @Sendable (Collected) -> Bool = { _ in false },
    afterBatch: @Sendable (Collected) async throws -> Void = { _ in }
) async throws -> Collected {
    let watchdog = Task {
        try? await Task.sleep(for: .seconds(limit))
        source.stop()
    }
    defer { watchdog.cancel() }
    var collected = Collected()
    for try await batch in source.batches {
        collected.batches.append(batch)
        collected.entries += batch.entries
        if enough(collected) {
            source.stop()
            break
        }
        try await afterBatch(collected)
    }
    return collected
}
