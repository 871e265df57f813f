import Foundation
import Testing

@testable import BounceClassifier

@Suite struct OverrideTests {
    @Test func sameIDReplacesInPlaceAndNewIDsRunFirst() throws {
        let local = PatternSource(
            name: "local/10-site.toml",
            text: """
                [[probe]]
                id = "probe.mailboxfull.text"
                reason = "mailboxfull"
                contains = ["tank is full"]
                vector = [{ text = "552 your tank is full", expect = "mailboxfull" }]

                [[probe]]
                id = "site.acme-unknown"
                reason = "userunknown"
                contains = ["acme says nope"]
                vector = [{ text = "550 acme says nope: mailbox full", stage = "RCPT", expect = "userunknown" }]
                """)
        let set = try PatternLoader.load(defaults: EmbeddedPatterns.sources, overrides: [local])
        let probes = set.rules.filter { $0.section == .probe }.map(\.id)
        #expect(probes.first == "site.acme-unknown", "a new local rule runs before the default probes")
        #expect(probes.filter { $0 == "probe.mailboxfull.text" }.count == 1)
        let defaultProbes = try defaultSet().rules.filter { $0.section == .probe }.map(\.id)
        let before = try #require(defaultProbes.firstIndex(of: "probe.mailboxfull.text"))
        #expect(probes.firstIndex(of: "probe.mailboxfull.text") == before + 1, "a replaced rule keeps its place")
        let c = Classifier(set: set)
        #expect(c.classify(failure("552 your tank is full")).rule == "probe.mailboxfull.text")
        // The replacement dropped the default literals: "mailbox is full" no longer reaches this probe.
        #expect(c.classify(failure("552 4.2.2 mailbox is full", dsn: "4.2.2")).rule == "code.mailboxfull")
        #expect(c.classify(failure("550 acme says nope: mailbox full", stage: .rcpt)).reason == "userunknown")
        #expect(checkPatterns(set).isEmpty)
    }

    @Test func disabledSwitchesADefaultOff() throws {
        let local = PatternSource(
            name: "off.toml",
            text: """
                [[probe]]
                id = "probe.rejected.at-mail"
                disabled = true
                """)
        let set = try PatternLoader.load(defaults: EmbeddedPatterns.sources, overrides: [local])
        let c = Classifier(set: set)
        let e = failure("550 5.7.1 Access denied", dsn: "5.7.1", stage: .mail)
        #expect(c.classify(e).reason == "securityerror")
        #expect(try Classifier(set: defaultSet()).classify(e).reason == "rejected")
    }

    @Test func settingsOverrideForwardsSenderFaultAsSoft() throws {
        let local = PatternSource(name: "fwd.toml", text: "[settings]\nforward_sender_fault = true\n")
        let set = try PatternLoader.load(defaults: EmbeddedPatterns.sources, overrides: [local])
        let spam = failure("550 5.7.1 Message rejected as spam", dsn: "5.7.1", stage: .data)
        let held = try Classifier(set: defaultSet()).classify(spam)
        let fwd = Classifier(set: set).classify(spam)
        #expect(held.action == .hold && held.fault == .sender)
        #expect(fwd.action == .forward && fwd.type == .soft && fwd.fault == .sender)
    }

    @Test func overrideDirectoryIsReadFromDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-override-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        [[policy]]
        reason = "blocked"
        type = "soft"
        fault = "sender"
        action = "forward"
        """.write(to: dir.appendingPathComponent("policy.toml"), atomically: true, encoding: .utf8)
        try "not toml".write(to: dir.appendingPathComponent("ignored.txt"), atomically: true, encoding: .utf8)
        let set = try PatternLoader.load(defaultsDirectory: repoRoot() + "/patterns", overrideDirectory: dir.path)
        #expect(set.policy["blocked"]?.action == .forward)
        #expect(set.sources.last?.hasSuffix("policy.toml") == true)
        // A missing override directory is fine; a missing defaults directory is an error naming it.
        #expect(throws: PatternLoadError.self) { try PatternLoader.load(defaultsDirectory: dir.path + "/nope") }
        _ = try PatternLoader.load(overrideDirectory: dir.path + "/nope")
    }

    @Test func overrideErrorsNameTheOverrideFile() {
        let local = PatternSource(
            name: "/etc/bouncetail/patterns.d/bad.toml",
            text: """
                [[code]]
                id = "probe.mailboxfull.text"
                reason = "mailboxfull"
                codes = ["5.2.2"]
                vector = [{ text = "x", dsn = "5.2.2", expect = "mailboxfull" }]
                """)
        #expect {
            try PatternLoader.load(defaults: EmbeddedPatterns.sources, overrides: [local])
        } throws: { e in
            let p = (e as? PatternLoadError)?.problems ?? []
            return p.contains { $0.location.file.hasSuffix("bad.toml") && $0.message.contains("keep the section") }
        }
    }
}
