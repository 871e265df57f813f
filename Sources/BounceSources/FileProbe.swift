import BounceCore

#if canImport(Glibc)
    import Glibc
#endif

/// Looks at files for the rotation decision: stat, the first bytes of the decompressed content,
/// and the rotated siblings of a path.
enum FileProbe {
    struct Stat {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var isRegular: Bool
        var modified: Int64
    }

    static func stat(_ path: String) -> Stat? {
        var st = Glibc.stat()
        guard statPath(path, &st) == 0 else { return nil }
        return Stat(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
            isRegular: (st.st_mode & S_IFMT) == S_IFREG, modified: Int64(st.st_mtim.tv_sec))
    }

    /// Up to `FileIdentity.fullLength` bytes from the start of a plain file.
    static func head(fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: FileIdentity.fullLength)
        var got = 0
        while got < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        buffer.removeSubrange(got...)
        return buffer
    }

    /// A snapshot of `path` for ``FileChange/decide(stored:current:candidates:)``: nil when it does
    /// not exist or cannot be read. Compressed files get the head of their decompressed content and no size.
    static func snapshot(_ path: String) -> FileSnapshot? {
        guard let st = stat(path), st.isRegular else { return nil }
        guard let reader = try? ContentReader(path: path, offset: 0) else { return nil }
        if reader.isPlain {
            return FileSnapshot(device: st.device, inode: st.inode, size: reader.size(), head: reader.head())
        }
        var head = [UInt8](repeating: 0, count: FileIdentity.fullLength)
        var got = 0
        while got < head.count {
            let n =
                (try? head.withUnsafeMutableBytes { raw in
                    try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[got...]))
                }) ?? 0
            if n == 0 { break }
            got += n
        }
        head.removeSubrange(got...)
        return FileSnapshot(device: st.device, inode: st.inode, size: nil, head: head)
    }

    /// The other members of `path`'s rotation family in its directory, oldest first.
    static func siblings(of path: String) -> [String] {
        let me = RotatedName(path: path)
        let dir = me.directory.isEmpty ? "." : me.directory
        let names = list(directory: dir).map { me.directory + $0 }
        let family = names.map(RotatedName.init(path:)).filter { $0.familyKey == me.familyKey && $0.path != path }
        return RotationFamily.order(family).map(\.path)
    }

    /// Names in a directory (no `.`/`..`), unsorted; empty when it cannot be read.
    static func list(directory: String) -> [String] {
        guard let d = opendir(directory) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// `stat(2)` under a name that does not collide with ``FileProbe/stat(_:)``.
private func statPath(_ path: String, _ st: inout stat) -> Int32 { stat(path, &st) }
