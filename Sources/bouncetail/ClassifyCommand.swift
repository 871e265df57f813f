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
            Each line may carry any supported envelope (classic or RFC 3339 syslog, Exim's own time stamp) \
            or be a bare message (`postfix/smtp[1]: ... status=bounced (...)`). A remote server's bare SMTP \
            reply (`550 5.1.1 <a@example.org>: User unknown`) is classified as the answer to a delivery \
            ("kind":"smtp_reply"). Failures (bounced, deferred, expired) get reason, type, fault, action, \
            the rule that fired and the evidence it used. A line that is none of these gets null fields \
            and a hint on standard error.
            """)

    @Argument(help: "Log lines to classify; read from stdin when none are given.")
    var lines: [String] = []

    @OptionGroup var patternOptions: PatternOptions

    func run() throws {
        let set = try patternOptions.load(locate: false)
        let classifier = Classifier(set: set)
        var parser = LineParser()
        var out = ""
        var number = 0
        func emit(_ line: String) {
            number += 1
            var verdict = LineVerdict(parser.parse(line), classifier: classifier)
            if verdict.kind == .other {
                if let reply = LineVerdict(smtpReply: line, classifier: classifier) {
                    verdict = reply
                } else {
                    StandardError.line(
                        "classify: line \(number) is neither a Postfix or Exim log line nor an SMTP reply (such as "
                            + "'550 5.1.1 <a@example.org>: User unknown'): nothing to classify")
                }
            }
            out += verdict.json
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
