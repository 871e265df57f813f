/// `[mail]`: bounce reports that arrive as mail (`bouncetail ingest-mail`, `classify-mail`).
public struct MailConfig: Sendable, Equatable {
    /// Largest message parsed; larger ones are kept for review.
    public var maxBytes: ByteSize = .mebibytes(10)
    /// Deepest MIME nesting parsed; deeper ones are kept for review.
    public var maxDepth = 8
    /// Where mails that cannot be parsed are kept (one file each) for the operator.
    public var reviewDir = "/var/lib/bouncetail/mail-review"
    /// What a hard bounce or complaint from mail that names no message the logs show we sent becomes, at a site
    /// without log sources (with log sources such a report is always held: the logs are the proof).
    public var unmatched: UnmatchedPolicy = .hold
    public init() {}
}

/// `[mail] unmatched`: the forged-mail policy of a site whose logs bouncetail does not read.
public enum UnmatchedPolicy: String, Sendable, Equatable, CaseIterable {
    /// Held in the outbox (`outbox release --reason unmatched` sends them).
    case hold
    /// Forwarded like any bounce: anyone who can mail the bounce address can unsubscribe anyone.
    case forward
}

extension BounceTailConfig {
    /// True when `run` reads MTA logs (files or the journal), so deliveries fill the sent index.
    public var hasLogSources: Bool { !sources.files.isEmpty || sources.journal.enabled }

    /// Whether a hard bounce or complaint from mail that names no message we sent is held: always with log
    /// sources, else as `[mail] unmatched` says.
    public var holdsUnmatchedMail: Bool { hasLogSources || mail.unmatched == .hold }
}

extension MailConfig {
    init(reading r: TableReader) {
        self.init()
        if let v = r.size("max_bytes") {
            if v.bytes < 4096 || v.bytes > 1 << 30 {
                r.invalid("max_bytes", "\(v) is out of range; allowed: 4KiB to 1GiB")
            } else {
                maxBytes = v
            }
        }
        if let v = r.int("max_depth", in: 2...64) { maxDepth = v }
        if let v = ConfigValueCheck.absolutePath(r, "review_dir", r.string("review_dir")) { reviewDir = v }
        if let v = r.choice("unmatched", UnmatchedPolicy.self) { unmatched = v }
        r.finish()
    }
}
