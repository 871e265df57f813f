import ArgumentParser

/// The `bouncetail` command: a bounce processor for Postfix and Exim logs that feeds listmonk.
struct BounceTail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bouncetail",
        abstract: "Read Postfix/Exim logs and the journal, classify bounces, and deliver them to listmonk.",
        version: BounceTailVersion.string,
        subcommands: [
            ParseCommand.self,
            ClassifyCommand.self,
            ClassifyMailCommand.self,
            IngestMailCommand.self,
            CheckPatternsCommand.self,
            BackfillCommand.self,
            RunCommand.self,
            PollMailboxCommand.self,
            OutboxCommand.self,
            ExportCommand.self,
            ReportCommand.self,
            ReplayCommand.self,
            CheckListmonkCommand.self,
            CheckConfigCommand.self,
        ]
    )
}

enum BounceTailVersion {
    static let string = "0.1.0"
}
