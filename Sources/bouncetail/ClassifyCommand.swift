import ArgumentParser
import BounceClassifier
import BounceCore
import Foundation

/// `bouncetail classify [LINE...]`: classifies each whole log line on its own and prints one JSON object
/// per input line, in order, with the fields of the webhook's `meta` (`null` where they do not apply).
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify log lines (arguments, or stdin when none) and print one JSON object per line.",
        discussion: """
            Each line may carry any supported envelope (classic or RFC 3339 syslog, Exim's own time stamp)
            or be a bare message. Failures (bounced, deferred, expired) get reason, type, fault, action,
            the rule that fired and the evidence it used.
            """)

    @Argument(help: "Log lines to classify; read from stdin when none are given.")
    var lines: [String] = []

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
        let classifier = Classifier(set: set)
        var parser = LineParser()
        var out = ""
        func emit(_ line: String) {
            out += LineVerdict(parser.parse(line), classifier: classifier).json
            out += "\n"
            if out.utf8.count >= 1 << 16 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        if lines.isEmpty {
            while let line = readLine(strippingNewline: true) { emit(line) }
        } else {
            for line in lines { emit(line) }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
