import ArgumentParser
import BounceCore
import BounceSources
import Foundation

/// `bouncetail parse [FILE...]`: one JSON object per input line, or `--summary` counts per record kind.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse Postfix/Exim log lines and print one JSON object per line.",
        discussion: """
            Reads the files in order (standard input when none). Each input line gives one JSON object in \
            input order: {"kind": ..., fields...}, or {"kind":"other"} for lines that are not Postfix or Exim. \
            Year-less syslog times take their year from the file's modification time (now for standard input).
            """)

    @Argument(help: "Log files to read; standard input when none.")
    var files: [String] = []

    @Flag(help: "Print only one JSON object with the number of lines of each kind.")
    var summary = false

    @Option(
        help:
            "Time zone of times without an offset: UTC, +02:00, or a name like Europe/Berlin (default: this machine's)."
    )
    var timeZone: String?

    @Option(help: "Envelope format: auto, syslog, rfc3339, exim, bare.")
    var envelope: String = "auto"

    @Option(help: "Longest line in bytes; longer lines are skipped and counted.")
    var maxLineLength: Int = 1 << 20

    func validate() throws {
        if EnvelopeFormat(rawValue: envelope) == nil {
            throw ValidationError("--envelope must be one of auto, syslog, rfc3339, exim, bare (got '\(envelope)')")
        }
        if let tz = timeZone, SourceTimeZone(parsing: tz) == nil {
            throw ValidationError(
                "--time-zone '\(tz)' is not UTC, an offset like +02:00, or a zone name like Europe/Berlin")
        }
        if maxLineLength < 1 { throw ValidationError("--max-line-length must be at least 1") }
    }

    func run() throws {
        let zone = timeZone.flatMap(SourceTimeZone.init(parsing:)) ?? .named(TimeZone.current)
        let format = EnvelopeFormat(rawValue: envelope) ?? .auto
        var out = OutputBuffer()
        var counts = [Int](repeating: 0, count: RecordKind.allCases.count)
        var lines = 0
        var skipped = 0
        let now = LogTime(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        for path in files.isEmpty ? ["-"] : files {
            let source = path == "-" ? FileByteSource.standardInput() : try FileByteSource(path: path)
            let reference = source.modificationTime() ?? now
            var parser = LineParser(
                options: LineParserOptions(envelope: format, timeZone: zone, referenceTime: reference))
            var reader = LineReader(source: source, maxLineLength: maxLineLength)
            if summary {
                try reader.forEachLine { line in
                    counts[LineParser.kind(of: line.bytes, envelope: format).index] += 1
                    lines += 1
                }
            } else {
                var w = JSONWriter(capacity: 1024)
                try reader.forEachLine { line in
                    w.reset()
                    parser.parse(line.bytes).writeJSON(to: &w)
                    w.newline()
                    out.append(w.bytes)
                    lines += 1
                }
            }
            skipped += reader.skippedLongLines
        }
        if summary {
            var w = JSONWriter()
            w.objectStart()
            for kind in RecordKind.allCases {
                w.key(kind.rawValue)
                w.value(counts[kind.index])
            }
            w.key("lines")
            w.value(lines)
            w.key("skipped_long_lines")
            w.value(skipped)
            w.objectEnd()
            w.newline()
            out.append(w.bytes)
        }
        out.flush()
        if skipped > 0 {
            FileHandle.standardError.write(
                Data("bouncetail parse: skipped \(skipped) line(s) longer than \(maxLineLength) bytes\n".utf8))
        }
    }
}

/// Buffers standard output and writes it in large chunks.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func append(_ b: [UInt8]) {
        bytes.append(contentsOf: b)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(1, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                off += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
