/// How a ``FileFollower`` behaves.
public struct FollowConfiguration: Sendable {
    /// Where to start in a file when nothing is known of its rotation family (first run).
    public enum Start: Sendable, Hashable {
        /// From the first byte.
        case beginning
        /// After the last complete line present now (like `tail -f`).
        case end
    }

    /// Lines longer than this many bytes are skipped (counted), keeping memory bounded.
    public var maxLineLength: Int = 64 * 1024
    /// A full look at every path this often even without inotify events (a safety net, not the mechanism).
    public var safetyPollInterval: Duration = .seconds(5)
    /// How long a rotated-away file is kept open after it last grew, for writers that keep their old descriptor a while.
    public var rotateWait: Duration = .seconds(5)
    /// How long a trailing line without newline at the end of a rotated-away file waits before it is
    /// handed out as a line anyway. The live file's partial line always waits for its newline.
    public var partialLineTimeout: Duration = .seconds(2)
    /// After an inotify wake-up, wait this long for more writes so lines come in fewer, larger batches.
    public var coalesceDelay: Duration = .milliseconds(5)
    /// At most this many lines per batch.
    public var maxBatchLines: Int = 4096
    /// At most about this many bytes read per batch.
    public var maxBatchBytes: Int = 1 << 20
    /// First-run start.
    public var start: Start = .end

    /// The defaults.
    public init() {}
}

/// What a ``FileFollower`` has done, for metrics.
public struct FollowCounters: Sendable, Hashable {
    /// Complete lines handed out.
    public var lines: Int = 0
    /// Bytes consumed (lines, newlines and skipped lines).
    public var bytes: Int64 = 0
    /// Lines longer than the cap, skipped.
    public var skippedLongLines: Int = 0
    /// Times bytes could not be read (truncated before read with no copy, a file replaced while stopped). Should stay 0.
    public var gaps: Int = 0
    /// Bytes known lost in those gaps (a lower bound: a truncation only shows what was seen before it).
    public var gapBytes: Int64 = 0
    /// Truncations (copytruncate) seen.
    public var truncations: Int = 0
    /// Truncations whose lost bytes were read from the rotated copy instead.
    public var recoveredFromCopy: Int = 0
    /// Files rotated away (renamed or deleted) and drained.
    public var rotations: Int = 0
    /// Trailing partial lines of rotated-away files handed out after the timeout.
    public var partialLinesFlushed: Int = 0
    /// Files opened.
    public var filesOpened: Int = 0

    /// Zero.
    public init() {}
}
