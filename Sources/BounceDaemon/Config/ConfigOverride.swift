/// A value set from outside the file (a command-line flag), applied on top of the file before the
/// configuration is validated, so a bad flag value is reported like a bad file value but names the flag.
///
/// The CLI builds one per flag it was given, e.g.
/// `ConfigOverride("general.state_db", .string(state), origin: "--state")`.
public struct ConfigOverride: Sendable, Equatable {
    /// A TOML value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case strings([String])
    }

    /// The dotted key path (`general.state_db`, `metrics.listen`). Arrays of tables cannot be addressed.
    public var keyPath: String
    /// The value.
    public var value: Value
    /// Where it came from, for messages (`--state`).
    public var origin: String

    /// Creates an override.
    public init(_ keyPath: String, _ value: Value, origin: String) {
        self.keyPath = keyPath
        self.value = value
        self.origin = origin
    }
}
