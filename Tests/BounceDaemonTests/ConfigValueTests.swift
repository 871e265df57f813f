import Testing

@testable import BounceDaemon

@Suite struct ConfigValueTests {
    @Test(
        arguments: [
            ("500ms", 500), ("10s", 10_000), ("5m", 300_000), ("2h", 7_200_000), ("30d", 2_592_000_000),
            ("1w", 604_800_000), ("1h30m", 5_400_000), ("0", 0), (" 7d ", 604_800_000),
        ] as [(String, Int64)])
    func durationsParse(text: String, milliseconds: Int64) {
        #expect(ConfigDuration(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "10", "10x", "d", "1.5h", "-5s", "5 m", "99999999999999999999d"])
    func badDurationsAreRejected(text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }

    @Test func durationsPrintInTheirShortestForm() {
        #expect(ConfigDuration.days(30).description == "30d")
        #expect(ConfigDuration.days(14).description == "2w")
        #expect(ConfigDuration(milliseconds: 5_400_000).description == "1h30m")
        #expect(
            ConfigDuration(parsing: ConfigDuration(milliseconds: 90_061_001).description)?.milliseconds == 90_061_001)
    }

    @Test(
        arguments: [
            ("512MiB", 536_870_912), ("64KiB", 65_536), ("1GiB", 1_073_741_824), ("10MB", 10_000_000), ("4096", 4096),
            ("4096B", 4096),
        ] as [(String, Int64)])
    func sizesParse(text: String, bytes: Int64) {
        #expect(ByteSize(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "MiB", "12 parsecs", "1.5GiB", "-1", "5mib"])
    func badSizesAreRejected(text: String) {
        #expect(ByteSize(parsing: text) == nil)
    }

    @Test func listenAddresses() {
        #expect(ListenAddress(parsing: "127.0.0.1:9155") == ListenAddress(host: "127.0.0.1", port: 9155))
        #expect(ListenAddress(parsing: "[::1]:9155") == ListenAddress(host: "::1", port: 9155))
        #expect(ListenAddress(parsing: "localhost:0")?.port == 0)
        #expect(ListenAddress(parsing: "::1:9155") == nil)
        #expect(ListenAddress(parsing: "127.0.0.1") == nil)
        #expect(ListenAddress(parsing: "127.0.0.1:70000") == nil)
        #expect(ListenAddress(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test func keyLocatorFindsKeysInTablesArraysAndDottedKeys() {
        let text = """
            # comment with x = 1
            [general]
            host_name = "mx1"   # trailing comment

            [[sources.file]]
            paths = [
              "/var/log/mail.log",   # mta = "fake"
            ]
            mta = "postfix"

            [[sources.file]]
            paths = ["/var/log/exim4/mainlog"]
            mta = "exim"

            [listmonk]
            note = \"\"\"
            url = "not a key"
            \"\"\"
            url = "https://x"
            outbox.retention = "1d"
            """
        let locator = TOMLKeyLocator(source: text)
        #expect(locator.line(of: "general.host_name") == 3)
        #expect(locator.line(of: "sources.file[0].paths") == 6)
        #expect(locator.line(of: "sources.file[0].mta") == 9)
        #expect(locator.line(of: "sources.file[1].mta") == 13)
        #expect(locator.line(of: "listmonk.url") == 19)
        #expect(locator.line(of: "listmonk.outbox.retention") == 20)
        #expect(locator.line(of: "general.time_zone") == 2, "an absent key falls back to its table's header")
        #expect(locator.line(of: "metrics.listen") == nil)
    }
}
