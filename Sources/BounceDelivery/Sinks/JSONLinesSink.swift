import BounceCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one event per line as JSON, `dedup_key` included, to standard output or a file (appended), for piping
/// into jq, Vector, Kafka or anything that reads JSON Lines.
///
/// Each line goes out in one `write(2)` (no user-space buffer), so a crash never leaves half a line behind that a
/// later write would glue onto, and a reader tailing the file sees whole lines. As a ``BounceTransport`` it lets the
/// dispatcher drain the outbox into the file: every event is `.accepted` once written.
public actor JSONLinesSink: BounceTransport {
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// Where lines go: a path, or `-` for standard output.
    public nonisolated let destination: String
    private var written = 0

    /// - Parameter path: the file to append to (created with mode 0640), or nil / `-` for standard output.
    /// - Throws: ``DeliveryConfigurationError`` (key `delivery.jsonl.path`) when the file cannot be opened.
    public init(path: String?) throws {
        if let path, path != "-" {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else {
                throw DeliveryConfigurationError(
                    key: "delivery.jsonl.path",
                    message: "cannot open \(path) for appending: \(String(cString: strerror(errno)))")
            }
            self.fd = fd
            self.ownsDescriptor = true
            self.destination = path
        } else {
            self.fd = STDOUT_FILENO
            self.ownsDescriptor = false
            self.destination = "-"
        }
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// Lines written so far.
    public var linesWritten: Int { written }

    /// Writes one event.
    public func write(_ event: BounceEvent) throws {
        try writeLine(try WebhookBody.jsonLine(event))
    }

    /// Writes one line of JSON (a newline is added; the text must hold none).
    public func writeLine(_ json: String) throws {
        precondition(!json.contains("\n"), "a JSON line must not contain a newline")
        var bytes = Array(json.utf8)
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw JSONLinesSinkError(destination: destination, message: String(cString: strerror(errno)))
            }
            offset += n
        }
        written += 1
    }

    /// ``BounceTransport``: writes the stored body with its dedup key; a write error is retried later.
    public func deliver(body: String, dedupKey: String) async -> DeliveryResult {
        do {
            try writeLine(try WebhookBody.addingDedupKey(dedupKey, to: body))
            return .accepted
        } catch let error as WebhookBodyError {
            return .rejected(status: nil, message: error.message)
        } catch {
            return .retry(after: nil, status: nil, reason: "\(error)")
        }
    }
}

/// A JSON Lines write that failed.
public struct JSONLinesSinkError: Error, Sendable, CustomStringConvertible {
    public var destination: String
    public var message: String
    public var description: String { "cannot write to \(destination): \(message)" }
}

/// `write(2)`, named apart from the sink's own `write` methods.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
