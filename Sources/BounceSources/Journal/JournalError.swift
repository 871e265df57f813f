#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A journal operation that failed: what, the errno it failed with, and what an operator can do.
public struct JournalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done, e.g. `open journal directory /var/log/journal`.
    public var operation: String
    /// The positive errno (sd-journal returns `-errno`).
    public var code: Int32
    /// What to do about it, when there is something specific to say.
    public var hint: String?

    public init(operation: String, code: Int32, hint: String? = nil) {
        self.operation = operation
        self.code = code
        self.hint = hint
    }

    /// An error from an sd-journal return value (negative errno), with a hint for the common cases.
    static func sd(_ operation: String, _ result: Int32) -> JournalError {
        let code = result < 0 ? -result : result
        let hint: String?
        switch code {
        case EACCES, EPERM:
            hint = "run bouncetail as root or as a member of the systemd-journal (or adm) group"
        case ENOENT:
            hint = "check that the journal directory or file exists"
        case EINVAL:
            hint = "check the value (journal matches are FIELD=value, cursors come from a previous run)"
        default:
            hint = nil
        }
        return JournalError(operation: operation, code: code, hint: hint)
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        var text = "journal: \(operation) failed: \(reason) (errno \(code))"
        if let hint { text += "; \(hint)" }
        return text
    }
}
