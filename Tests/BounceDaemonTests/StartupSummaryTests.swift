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

@Test func theStartupSummaryNamesMailInputs() throws {
    var c = BounceTailConfig()
    c.sink.kind = .sqlite
    c.general.stateDB = "/var/lib/bouncetail/state.db"
    c.mail.maildirs = [MaildirInputConfig(path: "/home/bounces/Maildir")]
    var box = MailboxInputConfig(url: "pop3s://mail.example.org", username: "bounces")
    box.pollInterval = .seconds(30)
    c.mail.mailboxes = [box]
    let first = try #require(StartupSummary.lines(c).first)
    #expect(
        first
            == "reading Maildir /home/bounces/Maildir (every 5s, then moved to cur/) and mailbox pop3s://mail.example.org as bounces (every 30s, then deleted)"
    )
}
