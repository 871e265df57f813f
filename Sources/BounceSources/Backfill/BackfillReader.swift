import BounceCore

/// Reads logs once, oldest first, resuming from stored positions: the file side of
/// `bouncetail backfill`.
///
/// Inputs (files, globs, directories) are grouped into rotation families and each family is read
/// oldest first (`mail.log.3.gz, mail.log.2.gz, mail.log.1, mail.log`); families follow each other
/// in path order (their lines are independent streams). Files are recognised by content identity,
/// so a file already read to its end (by an earlier backfill or by the follower) is skipped, a file
/// read part-way resumes at its offset (inside a `.gz` by decompressing up to it), and a plain
/// `.N` beside its `.N.gz` twin is read once.
///
/// Pull API: ``next()`` returns the next ``FileBatch`` or `nil` when everything was read. A file
/// that fails midway (a corrupt `.gz`) keeps the lines read before the damage, is reported in
/// ``failures`` and the reader goes on with the next file.
public final class BackfillReader {
    /// Limits.
    public struct Configuration: Sendable {
        /// Lines longer than this are skipped (counted).
        public var maxLineLength: Int = 64 * 1024
        /// Lines per batch: reading stops once a batch has this many (a read may complete a few more).
        public var maxBatchLines: Int = 4096
        /// Bytes read per batch at most (about).
        public var maxBatchBytes: Int = 1 << 20
        /// The defaults.
        public init() {}
    }

    /// The files in reading order, with skip reasons.
    public let plan: [BackfillFile]
    /// Inputs that gave no file, each with the reason, in input order.
    public let inputProblems: [BackfillInputProblem]
    /// The inputs that gave no file.
    public var missing: [String] { inputProblems.map(\.input) }
    /// Files that failed while being read (after the lines before the failure were handed out).
    public private(set) var failures: [SourceError] = []
    /// Lines handed out.
    public private(set) var lines = 0
    /// Over-long lines skipped.
    public private(set) var skippedLongLines = 0
    /// Decompressed bytes consumed (not counting bytes skipped to resume).
    public private(set) var bytes: Int64 = 0

    private let configuration: Configuration
    private var index = 0
    private var reader: ContentReader?
    private var splitter: LineSplitter?
    private var identity: FileIdentity?
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)

    /// Plans the backfill of `inputs`, resuming from `knownPositions`.
    public init(inputs: [String], knownPositions: [FilePosition] = [], configuration: Configuration = .init()) {
        let (paths, problems) = BackfillPlanner.expand(inputs)
        self.inputProblems = problems
        self.configuration = configuration
        plan = BackfillPlanner.plan(paths: paths, knownPositions: knownPositions)
    }

    /// A reader of files already planned (``plan``), for a reader on another thread than the planner.
    public init(plan: [BackfillFile], configuration: Configuration = .init()) {
        self.inputProblems = []
        self.configuration = configuration
        self.plan = plan
    }

    deinit { buffer.deallocate() }

    /// The file being read now, if any.
    public var currentFile: BackfillFile? { index < plan.count && reader != nil ? plan[index] : nil }

    /// The next batch, or `nil` when every file has been read.
    public func next() -> FileBatch? {
        while index < plan.count {
            let file = plan[index]
            if file.skip != nil {
                index += 1
                continue
            }
            if reader == nil {
                do {
                    reader = try ContentReader(path: file.path, offset: file.startOffset)
                    splitter = LineSplitter(maxLineLength: configuration.maxLineLength, offset: file.startOffset)
                    identity = file.identity
                } catch {
                    failures.append(error)
                    index += 1
                    continue
                }
            }
            if let batch = readBatch(file) { return batch }
        }
        return nil
    }

    /// Reads one batch from the open file; closes it (and returns its last batch) at its end.
    private func readBatch(_ file: BackfillFile) -> FileBatch? {
        guard let reader, var splitter, let identity else { return nil }
        let before = splitter
        var out = FileBatch(path: file.path, position: FilePosition(identity: identity, offset: 0))
        // A batch ends past its byte limit by at most one read and the line it completes.
        out.reserveCapacity(
            bytes: configuration.maxBatchBytes + min(buffer.count, configuration.maxLineLength) + 4096,
            lines: min(configuration.maxBatchLines, configuration.maxBatchBytes / 16) + 1024)
        var read = 0
        var ended = false
        var failed: SourceError?
        while out.count < configuration.maxBatchLines && read < configuration.maxBatchBytes {
            let n: Int
            let room = min(buffer.count, max(4096, configuration.maxBatchBytes - read))
            do {
                n = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<room]))
            } catch {
                failed = error
                ended = true
                break
            }
            if n == 0 {
                ended = true
                break
            }
            read += n
            splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), into: &out)
        }
        var complete = false
        if ended {
            // A rotated file never gets its last newline: hand out its tail. The live one may still.
            if !file.isLive && failed == nil, let tail = splitter.flushPartial() {
                tail.bytes.withUnsafeBytes { out.append($0, endOffset: tail.endOffset) }
            }
            complete = !file.isLive && failed == nil && !reader.isPlain
            if let failed { failures.append(failed) }
            self.reader = nil
            index += 1
        }
        skippedLongLines += splitter.skippedLines - before.skippedLines
        self.splitter = splitter
        lines += out.count
        bytes += splitter.consumed - before.consumed
        let moved = splitter.consumed != before.consumed
        guard out.count > 0 || moved || complete else { return nil }
        out.position = FilePosition(identity: identity, offset: splitter.consumed, isComplete: complete)
        return out
    }
}
