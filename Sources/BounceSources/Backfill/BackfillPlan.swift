import BounceCore

#if canImport(Glibc)
    import Glibc
#endif

/// One file a backfill will read (or skip), in reading order.
public struct BackfillFile: Sendable, Hashable {
    /// Why a file is not read.
    public enum Skip: Sendable, Hashable {
        /// A stored position says it was read to its end.
        case finished
        /// Another file in this run has the same content identity (`mail.log.2` beside `mail.log.2.gz`).
        case duplicate(of: String)
        /// It could not be opened or recognised; the message says why.
        case unreadable(String)
    }

    /// The path.
    public var path: String
    /// Its rotation family (directory + base name).
    public var family: String
    /// True for the live member of its family (`mail.log`): its trailing partial line is left for later.
    public var isLive: Bool
    /// Its identity (of the decompressed content); `nil` when unreadable.
    public var identity: FileIdentity?
    /// Where reading starts: a stored position's offset, or 0.
    public var startOffset: Int64
    /// Its size in bytes on disk (compressed size for compressed files).
    public var sizeOnDisk: Int64
    /// Set when it is skipped.
    public var skip: Skip?
}

/// Expands backfill inputs (files, globs, directories) and orders them family by family, oldest first.
public enum BackfillPlanner {
    /// Turns inputs into paths: a directory gives its regular, non-hidden files; a pattern with
    /// `*`, `?` or `[` is expanded by glob(3); anything else is taken as a file. Inputs that name
    /// nothing, or something that is neither a regular file nor a directory (a FIFO, a device), are
    /// returned in `missing`.
    public static func expand(_ inputs: [String]) -> (paths: [String], missing: [String]) {
        var paths: [String] = []
        var missing: [String] = []
        for input in inputs {
            if input.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                var g = glob_t()
                defer { globfree(&g) }
                if glob(input, 0, nil, &g) == 0 {
                    for i in 0..<Int(g.gl_pathc) {
                        if let p = g.gl_pathv[i], let st = FileProbe.stat(String(cString: p)), st.isRegular {
                            paths.append(String(cString: p))
                        }
                    }
                } else {
                    missing.append(input)
                }
                continue
            }
            guard let st = FileProbe.stat(input) else {
                missing.append(input)
                continue
            }
            if st.isRegular {
                paths.append(input)
            } else if (try? isDirectory(input)) == true {
                let dir = input.hasSuffix("/") ? input : input + "/"
                for name in FileProbe.list(directory: input).sorted() where !name.hasPrefix(".") {
                    if let s = FileProbe.stat(dir + name), s.isRegular { paths.append(dir + name) }
                }
            } else {
                missing.append(input)
            }
        }
        return (paths, missing)
    }

    private static func isDirectory(_ path: String) throws -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The reading plan: every family oldest first, each file with its start offset or skip reason.
    public static func plan(paths: [String], knownPositions: [FilePosition]) -> [BackfillFile] {
        var result: [BackfillFile] = []
        var seen: [(FileIdentity, String)] = []
        for family in RotationFamily.group(paths) {
            let times = Dictionary(
                family.members.compactMap { m in FileProbe.stat(m.path).map { (m.path, $0.modified) } },
                uniquingKeysWith: { a, _ in a })
            for member in RotationFamily.order(family.members, modificationTimes: times) {
                let st = FileProbe.stat(member.path)
                var file = BackfillFile(
                    path: member.path, family: family.key, isLive: member.mark == .current && member.compression == nil,
                    identity: nil, startOffset: 0, sizeOnDisk: st?.size ?? 0, skip: nil)
                guard let snap = FileProbe.snapshot(member.path) else {
                    let reason =
                        (try? ContentReader(path: member.path, offset: 0)).map { _ in "cannot read it" }
                        ?? unreadableReason(member.path)
                    file.skip = .unreadable(reason)
                    result.append(file)
                    continue
                }
                let identity = snap.identity
                file.identity = identity
                if snap.head.isEmpty {
                    // Empty: nothing to read, and no content identity to remember it by.
                    file.skip = .finished
                    result.append(file)
                    continue
                }
                if let twin = seen.first(where: { $0.0.sameContent(as: identity) }) {
                    file.skip = .duplicate(of: twin.1)
                    result.append(file)
                    continue
                }
                seen.append((identity, member.path))
                if let known = FilePosition.bestMatch(
                    in: knownPositions, head: snap.head, device: snap.device, inode: snap.inode)
                {
                    file.startOffset = known.offset
                    if let size = snap.size {
                        if size <= known.offset { file.skip = .finished }
                    } else if known.isComplete {
                        file.skip = .finished
                    }
                }
                result.append(file)
            }
        }
        return result
    }

    private static func unreadableReason(_ path: String) -> String {
        do {
            _ = try ContentReader(path: path, offset: 0)
            return "cannot read it"
        } catch {
            return error.message
        }
    }
}
