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
        /// It holds no bytes: nothing to read, and no content identity to remember it by.
        case empty
        /// Another file in this run has the same content identity (`mail.log.2` beside `mail.log.2.gz`).
        case duplicate(of: String)
        /// It could not be opened or recognised; the message says why.
        case unreadable(String)

        /// Why the file is not read, for the operator (`already read to its end ...`).
        public var reason: String {
            switch self {
            case .finished: "already read to its end by an earlier run (stored position)"
            case .empty: "empty file: nothing to read"
            case .duplicate(let other): "same content as \(other), which is read instead"
            case .unreadable(let why): "cannot be read: \(why)"
            }
        }

        /// True when the file holds something this run could not read (as opposed to nothing new).
        public var isProblem: Bool {
            if case .unreadable = self { return true }
            return false
        }
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
    /// `*`, `?` or `[` is expanded by glob(3); anything else is taken as a file. Inputs that give no
    /// file (a path that does not exist, a pattern that matches nothing, an empty directory, a FIFO or
    /// a device) are returned in `problems`, each with the reason, in input order.
    public static func expand(_ inputs: [String]) -> (paths: [String], problems: [BackfillInputProblem]) {
        var paths: [String] = []
        var problems: [BackfillInputProblem] = []
        for input in inputs {
            if input.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                var g = glob_t()
                defer { globfree(&g) }
                var found = 0
                if glob(input, 0, nil, &g) == 0 {
                    for i in 0..<Int(g.gl_pathc) {
                        if let p = g.gl_pathv[i], let st = FileProbe.stat(String(cString: p)), st.isRegular {
                            paths.append(String(cString: p))
                            found += 1
                        }
                    }
                }
                if found == 0 { problems.append(BackfillInputProblem(input: input, kind: .noMatch)) }
                continue
            }
            guard let st = FileProbe.stat(input) else {
                problems.append(BackfillInputProblem(input: input, kind: .noSuchFile))
                continue
            }
            if st.isRegular {
                paths.append(input)
            } else if (try? isDirectory(input)) == true {
                let dir = input.hasSuffix("/") ? input : input + "/"
                var found = 0
                for name in FileProbe.list(directory: input).sorted() where !name.hasPrefix(".") {
                    if let s = FileProbe.stat(dir + name), s.isRegular {
                        paths.append(dir + name)
                        found += 1
                    }
                }
                if found == 0 { problems.append(BackfillInputProblem(input: input, kind: .emptyDirectory)) }
            } else {
                problems.append(BackfillInputProblem(input: input, kind: .notAFile))
            }
        }
        return (paths, problems)
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
                    file.skip = .empty
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

/// A backfill input that gave no file to read, and why.
public struct BackfillInputProblem: Sendable, Hashable, CustomStringConvertible {
    /// Why an input gave no file.
    public enum Kind: Sendable, Hashable {
        /// Nothing exists at the path.
        case noSuchFile
        /// A pattern that matches no regular file.
        case noMatch
        /// A directory without regular, non-hidden files.
        case emptyDirectory
        /// Something that is neither a regular file nor a directory (a FIFO, a device).
        case notAFile
    }

    /// The input as given.
    public var input: String
    /// Why it gave no file.
    public var kind: Kind

    /// Creates a problem.
    public init(input: String, kind: Kind) {
        self.input = input
        self.kind = kind
    }

    /// `PATH: no such file or directory`, and what to check.
    public var description: String {
        switch kind {
        case .noSuchFile: "\(input): no such file or directory"
        case .noMatch: "\(input): no file matches this pattern"
        case .emptyDirectory: "\(input): directory without files to read"
        case .notAFile: "\(input): not a regular file or directory (a FIFO or device cannot be backfilled)"
        }
    }
}
