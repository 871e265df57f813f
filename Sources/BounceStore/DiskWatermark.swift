import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free space on the filesystem that holds the state database, against a configured minimum.
///
/// Readers check it before each batch: below the watermark they stop reading (the logs stay where
/// they are, positions do not advance) and say so loudly, rather than failing a commit later with
/// "disk full" or silently dropping lines.
public enum DiskWatermark: Sendable, Hashable {
    case ok(freeBytes: UInt64)
    case low(freeBytes: UInt64, minimumBytes: UInt64, path: String)

    public var isLow: Bool {
        if case .low = self { return true }
        return false
    }

    /// The operator-facing sentence for a low watermark, nil when there is room.
    public var message: String? {
        guard case .low(let free, let minimum, let path) = self else { return nil }
        return "only \(free / 1_048_576) MiB free on the filesystem of the state database \(path) "
            + "(minimum \(minimum / 1_048_576) MiB): reading is paused, nothing is lost; free space there or lower "
            + "state.min_free_space"
    }

    /// Free bytes available to an unprivileged user on the filesystem holding `path` (statvfs `f_bavail`).
    public static func freeBytes(at path: String) throws(StateDBError) -> UInt64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            let err = errno
            throw StateDBError(
                kind: .other, path: path,
                message:
                    "cannot read the free space of the filesystem holding \(path): \(String(cString: strerror(err)))")
        }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// Compares the free space at `path` with `minimumBytes`.
    public static func check(path: String, minimumBytes: UInt64) throws(StateDBError) -> DiskWatermark {
        let free = try freeBytes(at: path)
        return free < minimumBytes
            ? .low(freeBytes: free, minimumBytes: minimumBytes, path: path) : .ok(freeBytes: free)
    }
}

extension StateDB {
    /// ``DiskWatermark/check(path:minimumBytes:)`` for this database's file.
    public func diskWatermark(minimumBytes: UInt64) throws(StateDBError) -> DiskWatermark {
        try DiskWatermark.check(path: path, minimumBytes: minimumBytes)
    }
}
