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

    @OptionGroup var patternOptions: PatternOptions

    func run() throws {
        let set = try patternOptions.load()
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
