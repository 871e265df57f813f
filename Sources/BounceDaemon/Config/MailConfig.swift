/// `[mail]`: bounce reports that arrive as mail (`bouncetail ingest-mail`, `classify-mail`).
public struct MailConfig: Sendable, Equatable {
    /// Largest message parsed; larger ones are kept for review.
    public var maxBytes: ByteSize = .mebibytes(10)
    /// Deepest MIME nesting parsed; deeper ones are kept for review.
    public var maxDepth = 8
    /// Where mails that cannot be parsed are kept (one file each) for the operator.
    public var reviewDir = "/var/lib/bouncetail/mail-review"
    public init() {}
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
        r.finish()
    }
}
