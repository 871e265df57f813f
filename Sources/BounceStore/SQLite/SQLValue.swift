/// A value bound to a statement parameter.
///
/// An enum rather than a protocol so a parameter list is one array literal and binding is one switch.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    /// `.null` for nil, `.int` otherwise.
    public static func int(_ value: Int64?) -> SQLValue { value.map { .int($0) } ?? .null }
    /// `.null` for nil, `.text` otherwise.
    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// `.null` for nil, `.blob` otherwise.
    public static func blob(_ value: [UInt8]?) -> SQLValue { value.map { .blob($0) } ?? .null }
}
