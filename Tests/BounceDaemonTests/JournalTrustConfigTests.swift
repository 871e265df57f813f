import BounceSources
import Foundation
import Testing

@testable import BounceDaemon

/// `[sources.journal.trust]`: defaults, validation, resolution of user names, and the rate-limited
/// warning about refused entries.
@Suite struct JournalTrustConfigTests {
    @Test func theDefaultsTrustThePackagedUnitsAndTheMTAUsers() throws {
        let trust = try ConfigLoader.parse("").sources.journal.trust
        #expect(trust.units == ["postfix.service", "postfix@*.service", "exim4.service"])
        #expect(trust.users == ["postfix", "Debian-exim", "root"])
        #expect(trust.commands.isEmpty && trust.executables.isEmpty)
        #expect(trust.require == .unitOrUser)
    }

    @Test func everyKeyIsRead() throws {
        let trust = try ConfigLoader.parse(
            """
            [sources.journal]
            enabled = true
            [sources.journal.trust]
            units = ["postfix@*.service"]
            users = ["postfix", "104"]
            commands = ["smtp", "exim*"]
            executables = ["/usr/lib/postfix/sbin/*"]
            require = "unit-and-user"
            """
        ).sources.journal.trust
        #expect(trust.units == ["postfix@*.service"])
        #expect(trust.users == ["postfix", "104"])
        #expect(trust.commands == ["smtp", "exim*"])
        #expect(trust.executables == ["/usr/lib/postfix/sbin/*"])
        #expect(trust.require == .unitAndUser)
    }

    @Test(
        arguments: [
            ("units = [\"postfix\"]", "sources.journal.trust.units", "suffix"),
            ("users = [\"post fix\"]", "sources.journal.trust.users", "neither a user name nor a uid"),
            ("users = [\"-1\"]", "sources.journal.trust.users", "neither a user name nor a uid"),
            ("users = [\"4294967295\"]", "sources.journal.trust.users", "neither a user name nor a uid"),
            ("commands = [\"postfix-smtp-daemon\"]", "sources.journal.trust.commands", "at most 15 bytes"),
            ("executables = [\"smtp\"]", "sources.journal.trust.executables", "absolute"),
            ("require = \"unit\"", "sources.journal.trust.require", "unit-or-user"),
            ("units = []\nusers = []", "sources.journal.trust.units", "every journal entry would be refused"),
            ("users = []\nrequire = \"unit-and-user\"", "sources.journal.trust.require", "needs both"),
            ("uids = [104]", "sources.journal.trust.uids", "unknown key"),
        ])
    func badValuesAreReportedWithTheirKey(body: String, keyPath: String, words: String) {
        let found = configIssues("[sources.journal]\nenabled = true\n[sources.journal.trust]\n\(body)\n")
        #expect(found.count == 1)
        #expect(found.first?.keyPath == keyPath)
        #expect(found.first?.message.contains(words) == true, "\(found)")
    }

    @Test func aTrustThatRefusesEverythingIsOnlyAnErrorWhenTheJournalIsRead() {
        #expect(configIssues("[sources.journal.trust]\nunits = []\nusers = []\n").isEmpty)
    }

    @Test func userNamesResolveOnceAndUnknownOnesAreReported() {
        var config = JournalTrustConfig()
        config.users = ["postfix", "Debian-exim", "root", "4242"]
        let table = ["postfix": 104, "root": 0]
        let resolved = JournalTrustResolution(config, lookup: { table[$0] })
        #expect(resolved.trust.uids == [104, 0, 4242])
        #expect(resolved.unknownUsers == ["Debian-exim"])
        #expect(resolved.trust.units == config.units)
        let warnings = resolved.warnings(unitsNotFound: ["exim4.service"])
        #expect(warnings.count == 2)
        #expect(warnings[0].contains("no such user Debian-exim"))
        #expect(warnings[1].contains("no entry in the journal comes from unit exim4.service"))
        #expect(
            JournalTrustResolution(JournalTrustConfig(), lookup: { table[$0] ?? 1 }).warnings(unitsNotFound: []).isEmpty
        )
    }

    @Test func rootResolvesFromTheSystemUserDatabase() {
        #expect(JournalTrustResolution.systemUID("root") == 0)
        #expect(JournalTrustResolution.systemUID("no-such-user-bouncetail-test") == nil)
    }

    @Test func theFirstLoginUIDComesFromLoginDefs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("login-defs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let defs = dir.appendingPathComponent("login.defs").path
        try "# comment\nUID_MAX\t\t\t60000\nUID_MIN\t\t\t 2000\n".write(toFile: defs, atomically: true, encoding: .utf8)
        #expect(JournalTrustResolution.loginUIDMin(path: defs) == 2000)
        #expect(JournalTrustResolution.loginUIDMin(path: dir.appendingPathComponent("missing").path) == 1000)
        let resolved = JournalTrustResolution(JournalTrustConfig(), lookup: { _ in 104 }, firstLoginUID: 2000)
        #expect(resolved.trust.firstLoginUID == 2000)
        #expect(resolved.trust.decide(.init(uid: 1500, unit: "postfix@-.service")) == .admitted(.unit))
        #expect(resolved.trust.decide(.init(uid: 2000, unit: "postfix@-.service")) == .refused(.loginUserInUnit))
    }

    @Test func theJournalOptionsAlwaysCarryTheTrustCheck() {
        var config = JournalSourceConfig()
        config.trust.users = ["0"]
        let options = JournalDaemonOptions.make(config, start: .head, mode: .backfill)
        #expect(options.trust?.uids == [0])
        #expect(options.trust?.units == config.trust.units)
    }
}

@Suite struct UntrustedEntryWarningTests {
    static let logger = JournalProvenance(uid: 1000, comm: "logger", unit: "session-2.scope")
    static let renamed = JournalProvenance(uid: 65534, comm: "smtp")

    @Test func theFirstRefusalIsReportedAtOnceThenAtMostOncePerInterval() {
        var warning = UntrustedEntryWarning(interval: .seconds(60))
        let t0 = ContinuousClock.now
        let first = warning.add([Self.logger: 3], now: t0)
        #expect(first?.contains("refused 3 entries") == true)
        #expect(first?.contains("uid=1000 comm=logger unit=session-2.scope: 3") == true)
        // Within the minute: counted, not reported...
        #expect(warning.add([Self.renamed: 1], now: t0 + .seconds(10)) == nil)
        #expect(warning.add([Self.renamed: 1], now: t0 + .seconds(59)) == nil)
        // ...then reported together, by the timer if no batch comes.
        let later = warning.due(now: t0 + .seconds(61))
        #expect(later?.contains("refused 2 entries") == true)
        #expect(later?.contains("uid=65534 comm=smtp unit=-: 2") == true)
        #expect(warning.due(now: t0 + .seconds(200)) == nil)
    }

    @Test func manySendersAreSummedUp() {
        var many: [JournalProvenance: Int] = [:]
        for uid in 1000..<1010 { many[JournalProvenance(uid: uid, comm: "logger")] = uid - 999 }
        let text = UntrustedEntryWarning.text(many, maxSenders: 3)
        #expect(text.contains("refused 55 entries"))
        #expect(text.contains("uid=1009 comm=logger unit=-: 10; uid=1008"))
        #expect(text.contains("and 7 more sender(s)"))
        #expect(
            UntrustedEntryWarning.text([Self.renamed: 1], maxSenders: 3).contains(
                "refused 1 entry that claims to be the MTA's but was not"))
    }
}
