@testable import BounceDaemon

/// The problems `ConfigLoader.parse` finds in `text`, none when it loads: what the config suites check
/// is refused, and how it is said.
func configIssues(_ text: String) -> [ConfigIssue] {
    do {
        _ = try ConfigLoader.parse(text, origin: "test.toml")
        return []
    } catch {
        return error.issues
    }
}
