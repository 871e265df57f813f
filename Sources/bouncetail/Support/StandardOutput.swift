#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffered standard output: `print` flushes per line through a lock, far too slow for millions of lines.
struct StandardOutput {
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    init() { buffer.reserveCapacity(limit + 4096) }

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= limit { flush() }
    }

    mutating func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { flush() }
    }

    mutating func flush() {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                Glibc.write(1, raw.baseAddress! + done, raw.count - done)
            }
            if n <= 0 { break }  // stdout closed (e.g. `| head`): nothing more to do
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
