import Foundation
import Testing

@testable import BounceDaemon

/// `check-config`'s look at this machine: what is an error, a warning or a note.
@Suite("Config check")
struct ConfigCheckTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "bouncetail-config-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func config(_ text: String) throws -> BounceTailConfig {
        try ConfigLoader.parse(text.replacingOccurrences(of: "DIR", with: dir))
    }

    @Test func aMissingLogIsAWarningAndAnOptionalOneANote() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try config(
            """
            [general]
            state_db = "DIR/state.db"
            [[sources.file]]
            name = "mail"
            paths = ["DIR/mail.log"]
            [[sources.file]]
            name = "exim"
            paths = ["DIR/exim/mainlog"]
            optional = true
            """)
        let found = ConfigCheck.findings(c, environment: [:], serviceUser: nil)
        #expect(
            found == [
                ConfigFinding(
                    .warning, "sources.file[0].paths",
                    "\(dir)/mail.log does not exist yet: nothing is read from it until it appears; check [[sources.file]] paths (`run` waits for it; /healthz says degraded meanwhile)"
                ),
                ConfigFinding(
                    .note, "sources.file[1].paths",
                    "\(dir)/exim/mainlog does not exist (optional source: read once it appears)"),
            ])
        #expect(FileManager.default.createFile(atPath: dir + "/mail.log", contents: Data()))
        #expect(ConfigCheck.findings(c, environment: [:], serviceUser: nil).count == 1)
    }

    @Test func nothingToReadIsAnError() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let found = ConfigCheck.findings(
            try config("[general]\nstate_db = \"DIR/state.db\"\n"), environment: [:], serviceUser: nil)
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.key == "sources")
    }

    @Test func anUnreadableTokenIsAnErrorOnlyWhenListmonkIsTheSink() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = """
            [general]
            state_db = "DIR/state.db"
            [sources.journal]
            enabled = true
            [listmonk]
            username = "bouncetail"
            token_file = "DIR/listmonk.token"
            [sink]
            kind = "auto"
            """
        let local = ConfigCheck.findings(try config(text), environment: [:], serviceUser: nil)
        #expect(local.map(\.severity) == [.warning])
        #expect(local.first?.message.hasSuffix("(needed once bounces go to listmonk)") == true)
        let webhook = try config(
            text.replacingOccurrences(of: "[listmonk]", with: "[listmonk]\nurl = \"https://l.example\""))
        #expect(ConfigCheck.findings(webhook, environment: [:], serviceUser: nil).map(\.severity) == [.error])
        // The environment variable wins: the file is not needed, and that is said.
        let env = ConfigCheck.findings(webhook, environment: ["BOUNCETAIL_LISTMONK_TOKEN": "t"], serviceUser: nil)
        #expect(env.map(\.severity) == [.note])
        #expect(FileManager.default.createFile(atPath: dir + "/listmonk.token", contents: Data("t\n".utf8)))
        #expect(ConfigCheck.findings(webhook, environment: [:], serviceUser: nil).isEmpty)
    }

    @Test func theStateDirectoryIsJudgedForTheServiceUser() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let someone = ServiceUser(name: "someone", uid: 4_000_123, groups: [4_000_123])
        chmod(dir, 0o755)
        #expect(!ConfigCheck.writable(dir, by: someone))
        chmod(dir, 0o777)
        #expect(ConfigCheck.writable(dir, by: someone))
        let missing = ConfigCheck.stateDirectory(dir + "/sub/state.db", user: someone)
        #expect(missing.map(\.severity) == [.note])
        chmod(dir, 0o755)
        let denied = ConfigCheck.stateDirectory(dir + "/sub/state.db", user: someone)
        // This process (root in CI, or the directory's owner) can write it: a warning about the unit's user.
        #expect(denied.map(\.severity) == [.note, .warning])
        #expect(denied.last?.message.hasPrefix("\(dir) is not writable by user someone") == true)
        #expect(denied.last?.message.contains("`run` under the packaged unit cannot") == true)
    }
}
