import Foundation
import Testing

@testable import BounceClassifier

@Suite struct EmbeddedPatternsTests {
    @Test func embeddedCopyMatchesPatternsDirectory() throws {
        let dir = repoRoot() + "/patterns"
        let onDisk = try PatternLoader.sources(inDirectory: dir)
        let embedded = EmbeddedPatterns.sources
        #expect(
            embedded.map(\.name) == onDisk.map { "patterns/" + ($0.name as NSString).lastPathComponent },
            "file list differs: run scripts/embed-patterns.sh")
        for (e, d) in zip(embedded, onDisk) {
            #expect(e.text == d.text, "\(e.name) differs from \(d.name): run scripts/embed-patterns.sh")
        }
    }

    @Test func defaultSetLoadsAndEveryVectorPasses() throws {
        let set = try defaultSet()
        #expect(set.rules.count > 40)
        let failures = checkPatterns(set)
        for f in failures { Issue.record("\(f)") }
        #expect(failures.isEmpty)
    }

    @Test func defaultPolicyFollowsClassificationRules() throws {
        let set = try defaultSet()
        let hard = set.policy.values.filter { $0.type == .hard }.map(\.reason).sorted()
        #expect(hard == ["hasmoved", "hostunknown", "notaccept", "userunknown"])
        #expect(set.policy["notaccept"]?.softWhenTemporary == true)
        for p in set.policy.values where p.fault == .sender { #expect(p.action == .hold, "\(p.reason) should be held") }
        #expect(set.settings.forwardSenderFault == false)
        // Every reason a rule yields has a policy; every failure reason Sisimai knows has one too.
        for name in SisimaiReason.all { #expect(set.policy[name] != nil, "no policy for \(name)") }
    }
}
