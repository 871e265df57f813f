import BounceCore
import Foundation
import Testing

@testable import BounceClassifier

/// Scores the default set against rendered Sisimai expectations, when asked to:
/// `BOUNCETAIL_SCORE_LINES=/tmp/x/lines.txt BOUNCETAIL_SCORE_OUT=/tmp/x/out.jsonl swift test --filter Harness`,
/// then `python3 ../shared/tools/render_sisimai.py score /tmp/x/lines.txt.expect < /tmp/x/out.jsonl`.
/// The corpus is not part of the project, so without the variables the test only says it skipped.
@Test func sisimaiHarness() throws {
    let env = ProcessInfo.processInfo.environment
    guard let input = env["BOUNCETAIL_SCORE_LINES"], let output = env["BOUNCETAIL_SCORE_OUT"] else {
        print("sisimaiHarness skipped: set BOUNCETAIL_SCORE_LINES and BOUNCETAIL_SCORE_OUT to score a rendered corpus")
        return
    }
    let classifier = Classifier(set: try defaultSet())
    var out = ""
    for line in try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n") {
        guard let e = evidenceFromPostfixLine(String(line)) else {
            out += "{}\n"
            continue
        }
        let c = classifier.classify(e)
        let obj: [String: String] = [
            "reason": c.reason, "type": c.type.rawValue, "rule": c.rule, "evidence": c.evidence,
        ]
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
        out += String(decoding: data, as: UTF8.self) + "\n"
    }
    try out.write(toFile: output, atomically: true, encoding: .utf8)
    #expect(!out.isEmpty)
}
