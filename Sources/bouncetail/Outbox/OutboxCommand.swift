import ArgumentParser

/// `bouncetail outbox ...`: look at and act on the outbox of the state database.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Inspect the outbox and act on held and dead bounces.",
        subcommands: [
            OutboxStatusCommand.self, OutboxListCommand.self, OutboxReleaseCommand.self,
            OutboxRetryCommand.self, OutboxPurgeCommand.self,
        ],
        defaultSubcommand: OutboxStatusCommand.self)
}
