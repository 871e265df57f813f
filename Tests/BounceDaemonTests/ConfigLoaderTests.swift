import Foundation
import Testing

@testable import BounceDaemon

@Suite struct ConfigLoaderTests {
    private func issues(_ text: String, overrides: [ConfigOverride] = []) -> [ConfigIssue] {
        do {
            _ = try ConfigLoader.parse(text, origin: "test.toml", overrides: overrides)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        let config = try ConfigLoader.parse("")
        #expect(config.general.stateDB == "/var/lib/bouncetail/state.db")
        #expect(config.general.hostName == SystemInfo.hostName())
        #expect(config.outbox.holdOlderThan == .days(30))
        #expect(config.metrics.listen == ListenAddress(host: "127.0.0.1", port: 9155))
        #expect(config.sink.kind == .sqlite)
        #expect(config.classifier.overrideDir == "/etc/bouncetail/patterns.d")
        #expect(config.sources.files.isEmpty)
        #expect(!config.sources.journal.enabled)
    }

    @Test func everySectionIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [general]
            host_name = "mx1.example.org"
            time_zone = "Europe/Berlin"
            state_db = "/tmp/x/state.db"

            [[sources.file]]
            paths = ["/var/log/mail.log"]
            mta = "postfix"
            max_line_bytes = "1MiB"

            [[sources.file]]
            name = "exim"
            paths = "/var/log/exim4/mainlog"
            mta = "exim"
            time_zone = "UTC"

            [sources.journal]
            enabled = true
            facilities = ["mail", "22"]

            [tracker]
            deferred_max_age = "2d"
            [tracker.sender_filter]
            domains = ["@News.Example.org"]

            [outbox]
            hold_older_than = "14d"
            disk_low_watermark = "1GiB"

            [listmonk]
            url = "https://lists.example.org/sub"
            username = "bouncetail"
            rate_per_second = 5
            concurrency = 2

            [sink]
            kind = "webhook"

            [metrics]
            listen = "[::1]:9200"
            """)
        #expect(config.general.hostName == "mx1.example.org")
        #expect(config.general.timeZone == "Europe/Berlin")
        #expect(config.sources.files.count == 2)
        #expect(config.sources.files[0].name == "/var/log/mail.log")
        #expect(config.sources.files[0].maxLineBytes == .mebibytes(1))
        #expect(config.sources.files[1].paths == ["/var/log/exim4/mainlog"])
        #expect(config.sources.files[1].mta == .exim)
        #expect(config.sources.files[1].timeZone == "UTC")
        #expect(config.sources.journal.facilityNumbers == [2, 22])
        #expect(config.tracker.deferredMaxAge == .days(2))
        #expect(config.tracker.senderFilter.domains == ["news.example.org"])
        #expect(config.tracker.senderFilter.isActive)
        #expect(config.outbox.diskLowWatermark == .gibibytes(1))
        #expect(config.listmonk.ratePerSecond == 5)
        #expect(config.sink.kind == .webhook)
        #expect(config.metrics.listen == ListenAddress(host: "::1", port: 9200))
    }

    @Test func anUnknownKeyIsNamedWithItsLineAndASuggestion() {
        let found = issues(
            """
            [general]
            hots_name = "mx1"
            """)
        #expect(found.count == 1)
        #expect(found.first?.kind == .unknownKey)
        #expect(found.first?.keyPath == "general.hots_name")
        #expect(found.first?.line == 2)
        #expect(found.first?.description.contains(#"did you mean "host_name""#) == true)
        #expect(found.first?.description.hasPrefix("test.toml:2: general.hots_name:") == true)
    }

    @Test func unknownSectionsAndKeysInArraysOfTablesAreErrors() {
        let found = issues(
            """
            [metrcs]
            enabled = true

            [[sources.file]]
            paths = ["/var/log/mail.log"]

            [[sources.file]]
            paths = ["/var/log/mail.log.x"]
            mta = "exim"
            colour = "blue"
            """)
        #expect(found.map(\.keyPath) == ["metrcs", "sources.file[1].colour"])
        #expect(found.map(\.line) == [1, 10])
    }

    @Test func badValuesNameTheKeyTheLineAndWhatIsAllowed() {
        let found = issues(
            """
            [general]
            time_zone = "Mars/Olympus"
            [outbox]
            hold_older_than = "30 days"
            disk_low_watermark = "lots"
            [sink]
            kind = "kafka"
            [listmonk]
            concurrency = 0
            url = "lists.example.org"
            [metrics]
            listen = "9155"
            enabled = "yes"
            """)
        let byKey = Dictionary(uniqueKeysWithValues: found.map { ($0.keyPath ?? "", $0) })
        #expect(byKey["general.time_zone"]?.line == 2)
        #expect(byKey["outbox.hold_older_than"]?.line == 4)
        #expect(byKey["outbox.hold_older_than"]?.message.contains("ms, s, m, h, d or w") == true)
        #expect(byKey["outbox.disk_low_watermark"]?.message.contains("MiB") == true)
        #expect(byKey["sink.kind"]?.message.contains(#""sqlite", "webhook", "jsonl""#) == true)
        #expect(byKey["sink.kind"]?.line == 7)
        #expect(byKey["listmonk.concurrency"]?.message.contains("1 to 64") == true)
        #expect(byKey["listmonk.url"]?.line == 10)
        #expect(byKey["metrics.listen"]?.line == 12)
        #expect(byKey["metrics.enabled"]?.kind == .wrongType)
        #expect(found.count == 8)
        #expect(found.map { $0.line ?? 0 } == found.map { $0.line ?? 0 }.sorted(), "issues come in file order")
    }

    @Test func aSyntaxErrorCarriesTheParsersLine() {
        let found = issues(
            """
            [general]
            host_name = "mx1"
            time_zone = = "UTC"
            """)
        #expect(found.count == 1)
        #expect(found.first?.kind == .syntax)
        #expect(found.first?.line == 3)
    }

    @Test func webhookNeedsURLAndUser() {
        let found = issues(
            """
            [sink]
            kind = "webhook"
            """)
        #expect(Set(found.compactMap(\.keyPath)) == ["listmonk.url", "listmonk.username"])
        #expect(found.allSatisfy { $0.kind == .missing })
    }

    @Test func aURLWithoutSchemeIsOneErrorThatShowsTheFix() {
        let found = issues(
            """
            [listmonk]
            url = "lists.example.org"
            username = "bouncetail"
            [sink]
            kind = "webhook"
            """)
        #expect(found.count == 1, "not again as a missing URL: \(found)")
        #expect(found.first?.keyPath == "listmonk.url")
        #expect(found.first?.message.contains(#"e.g. "https://lists.example.org""#) == true)
    }

    @Test func anAutoSinkIsListmonkWhenTheURLIsSetElseTheLocalStore() throws {
        let local = try ConfigLoader.parse("[sink]\nkind = \"auto\"\n")
        #expect(local.sink.kind == .sqlite)
        #expect(local.sink.automatic)
        let listmonk = try ConfigLoader.parse(
            "[listmonk]\nurl = \"https://lists.example.org\"\nusername = \"bouncetail\"\n[sink]\nkind = \"auto\"\n")
        #expect(listmonk.sink.kind == .webhook)
        let noUser = issues("[listmonk]\nurl = \"https://lists.example.org\"\n[sink]\nkind = \"auto\"\n")
        #expect(noUser.map(\.keyPath) == ["listmonk.username"])
        #expect(issues("[sink]\nkind = \"listmonk\"\n").first?.message.contains(#""auto""#) == true)
    }

    @Test func theTokenIsNeverReadFromTheFile() {
        let found = issues(
            """
            [listmonk]
            token = "s3cret"
            """)
        #expect(found.first?.keyPath == "listmonk.token")
        #expect(found.first?.message.contains("token_file") == true)
        #expect(found.first?.description.contains("s3cret") == false)
        #expect(found.count == 1, "a refused key is reported once, not again as unknown")
    }

    @Test func fileSourcesNeedPaths() {
        let found = issues(
            """
            [[sources.file]]
            mta = "postfix"
            """)
        #expect(found.first?.keyPath == "sources.file[0].paths")
        #expect(found.first?.kind == .missing)
        #expect(found.first?.line == 1)
    }

    @Test func flagsOverrideTheFileAndBadFlagsNameTheFlag() throws {
        let text = """
            [general]
            state_db = "/var/lib/bouncetail/state.db"
            """
        let config = try ConfigLoader.parse(
            text,
            overrides: [
                ConfigOverride("general.state_db", .string("/tmp/other.db"), origin: "--state"),
                ConfigOverride("metrics.listen", .string("127.0.0.1:0"), origin: "--metrics-listen"),
                ConfigOverride("sources.journal.enabled", .bool(true), origin: "--journal"),
            ])
        #expect(config.general.stateDB == "/tmp/other.db")
        #expect(config.metrics.listen.port == 0)
        #expect(config.sources.journal.enabled)

        let found = issues(
            text, overrides: [ConfigOverride("general.state_db", .string("relative.db"), origin: "--state")])
        #expect(found.count == 1)
        #expect(found.first?.origin == "--state")
        #expect(found.first?.line == nil)
        #expect(found.first?.description.hasPrefix("--state: general.state_db:") == true)
    }

    @Test func theTokenComesFromTheEnvironmentBeforeTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bt-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("token").path
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        var listmonk = ListmonkConfig()
        listmonk.tokenFile = file
        #expect(try listmonk.resolveToken(environment: [:]) == "from-file")
        #expect(try listmonk.resolveToken(environment: ["BOUNCETAIL_LISTMONK_TOKEN": "from-env"]) == "from-env")
        #expect(try listmonk.resolveToken(environment: ["BOUNCETAIL_LISTMONK_TOKEN": ""]) == "from-file")
        listmonk.tokenFile = dir.appendingPathComponent("missing").path
        #expect(throws: TokenResolutionError.self) { try listmonk.resolveToken(environment: [:]) }
        listmonk.tokenFile = nil
        #expect(try listmonk.resolveToken(environment: [:]) == nil)
    }

    @Test func aNamedMissingFileIsAnErrorButTheDefaultPathMayBeAbsent() throws {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/bouncetail.toml") }
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/bouncetail.toml")
        } catch {
            #expect(error.issues.first?.kind == .unreadable)
            #expect(error.description.contains("/nonexistent/bouncetail.toml"))
        }
    }
}
