import ArgumentParser
import BounceClassifier
import Foundation

/// `bouncetail check-patterns`: compiles the pattern set and runs every test vector, like fail2ban-regex
/// for the classifier. Exit status 0 when all pass, 1 when a vector fails or a rule has none, 2 when the
/// set does not load.
struct CheckPatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-patterns",
        abstract: "Compile the pattern set and run every test vector.",
        discussion: """
            Loads the default set (built into the binary, or --patterns DIR), then the override directory,
            and prints each failing vector and each rule without a vector with its file and line.
            """)

    @Option(
        name: .customLong("patterns"),
        help: "Directory of default pattern files (default: the set built into the binary).")
    var patterns: String?

    @Option(name: .customLong("override"), help: "Override directory, loaded after the defaults; skipped when missing.")
    var overrideDirectory: String = "/etc/bouncetail/patterns.d"

    func run() throws {
        let set: PatternSet
        do {
            set = try PatternLoader.load(defaultsDirectory: patterns, overrideDirectory: overrideDirectory)
        } catch let e as PatternLoadError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            throw ExitCode(2)
        }
        let failures = checkPatterns(set)
        for f in failures { print(f.description) }
        let vectors = set.rules.reduce(0) { $0 + $1.vectors.count } + set.formats.reduce(0) { $0 + $1.vectors.count }
        let summary =
            "\(set.rules.count) rules, \(set.formats.count) line formats, \(vectors) vectors from \(set.sources.count) files"
        if failures.isEmpty {
            print("ok: \(summary)")
        } else {
            print("FAILED: \(failures.count) problem\(failures.count == 1 ? "" : "s") in \(summary)")
            throw ExitCode(1)
        }
    }
}
