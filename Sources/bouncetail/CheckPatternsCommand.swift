import ArgumentParser
import BounceClassifier
import BounceCore
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

    @Option(
        name: .customLong("coverage"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Log files to classify: report how often each rule fires and which lines fall to a fallback or to onhold ('-' reads stdin).",
            valueName: "file"))
    var coverage: [String] = []

    @Flag(name: .customLong("coverage-summary"), help: "With --coverage: totals and firings only, no per-line list.")
    var coverageSummary = false

    @Option(
        name: .customLong("write-compiled"),
        help: ArgumentHelp(
            "Write the compiled form of the embedded default files as Swift source (for scripts/embed-patterns.sh).",
            visibility: .hidden))
    var writeCompiled: String?

    func run() throws {
        if let path = writeCompiled {
            try Data(PatternLoader.compiledDefaultsSource().utf8).write(
                to: URL(fileURLWithPath: path), options: .atomic)
            return
        }
        let set = try patternOptions.load()
        if !coverage.isEmpty {
            try runCoverage(set)
            return
        }
        let audit = SourceCitation.audit(set)
        for w in audit.warnings { print("warning: \(w.description)") }
        var failures = checkPatterns(set)
        // The default set must cite its sources; an override rule without one is only a warning above.
        failures += audit.errors
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

    /// `--coverage`: classifies every line of the files and prints the coverage report; the vectors are
    /// not run (run check-patterns without --coverage for that).
    func runCoverage(_ set: PatternSet) throws {
        let classifier = Classifier(set: set)
        var parser = LineParser()
        var report = PatternCoverage(set: set)
        var lineNumber = 0
        func take(_ line: String) {
            lineNumber += 1
            report.add(
                lineNumber: lineNumber, line: line, verdict: LineVerdict(parser.parse(line), classifier: classifier))
        }
        for path in coverage {
            if path == "-" {
                while let line = readLine(strippingNewline: true) { take(line) }
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path): check that it exists and is readable")
            }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            where !line.isEmpty {
                take(String(line))
            }
        }
        print(report.report(set: set, showLines: !coverageSummary))
    }
}
