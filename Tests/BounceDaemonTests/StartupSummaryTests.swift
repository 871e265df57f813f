import Testing

@testable import BounceDaemon

/// What `run` says at start: the sources it reads and where bounces go, and why.
@Test func theStartupSummaryNamesSourcesAndTheSinkWithItsReason() throws {
    let c = try ConfigLoader.parse(
        """
        [[sources.file]]
        name = "exim"
        paths = ["/var/log/exim4/mainlog"]
        optional = true
        [sources.journal]
        enabled = true
        [listmonk]
        url = "https://lists.example.org"
        username = "bouncetail"
        [sink]
        kind = "auto"
        """)
    #expect(
        StartupSummary.lines(c) == [
            "reading the journal (the local journal) and file exim (/var/log/exim4/mainlog, optional)",
            #"bounces go to listmonk at https://lists.example.org (sink "auto": [listmonk] url is set)"#,
        ])
}
