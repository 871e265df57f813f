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
            Loads the default set (built into the binary, or --patterns DIR), then the override directory, \
            and prints each failing vector and each rule without a vector with its file and line.
            """)

    @OptionGroup var patternOptions: PatternOptions

    func run() throws {
        let set = try patternOptions.load()
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
