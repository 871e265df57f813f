import ArgumentParser
import BounceClassifier
import Foundation

/// Where `classify` and `check-patterns` take their pattern set from.
struct PatternOptions: ParsableArguments {
    @Option(
        name: .customLong("patterns"),
        help: "Directory of default pattern files (default: the set built into the binary).")
    var patterns: String?

    @Option(name: .customLong("override"), help: "Override directory, loaded after the defaults; skipped when missing.")
    var overrideDirectory: String = "/etc/bouncetail/patterns.d"

    /// The set, or exit status 2 with the loader's errors (file, line, what is wrong) on standard error.
    /// `locate: false` for commands that never print a rule's line (see `PatternLoader.load`).
    func load(locate: Bool = true) throws -> PatternSet {
        do {
            return try PatternLoader.load(
                defaultsDirectory: patterns, overrideDirectory: overrideDirectory, locate: locate)
        } catch let e as PatternLoadError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            throw ExitCode(2)
        }
    }
}
