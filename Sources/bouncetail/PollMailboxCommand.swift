import ArgumentParser
import BounceClassifier
import BounceDaemon
import BounceMailbox
import Foundation

/// `bouncetail poll-mailbox`: one poll of one `[[mail.mailbox]]`, which `run` starts as a child process
/// at each interval so the daemon itself never maps libcurl and the TLS libraries. Prints one JSON line
/// (`committed`, `inserted`, `error_kind`, `error`) for `run`'s metrics and log. Hidden: `run` calls it.
struct PollMailboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll-mailbox",
        abstract: "Poll one [[mail.mailbox]] once (run starts this itself at each interval).",
        shouldDisplay: false)

    @OptionGroup var common: CommonOptions
    @Option(help: "The mailbox's name ([[mail.mailbox]] name, default its URL).") var input: String
    @Option(help: "The identity host (as given to run).") var hostName: String?
    @Option(help: "The process id of the run that started this poll: the poll dies with it.") var parent: Int32?

    func run() throws {
        // A kill -9 of run must end its poll at once, as if the poll were one of run's threads.
        if let parent, !ProcessLifetime.dieWithParent(expected: parent) { throw ExitCode(1) }
        StopSignal.install()
        var overrides: [ConfigOverride] = []
        if let hostName {
            overrides.append(ConfigOverride("general.host_name", .string(hostName), origin: "--host-name"))
        }
        let result: MailPollResult
        do {
            let ctx = try CLIContext(common, overrides: overrides)
            guard let mailbox = ctx.config.mail.mailboxes.first(where: { $0.name == input }) else {
                throw ValidationError("no [[mail.mailbox]] named \"\(input)\" in the configuration")
            }
            let classifier = Classifier(set: try PipelineFactory.loadPatterns(ctx.config))
            let ingest = MailIngest(config: ctx.config, classifier: classifier)
            result = MailboxPollOnce.run(
                mailbox, ingest: ingest, db: try ctx.openState(), shouldStop: { StopSignal.requested })
        } catch {
            result = MailPollResult(errorKind: "config", error: "\(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = StandardOutput()
        out.write(String(decoding: (try? encoder.encode(result)) ?? Data("{}".utf8), as: UTF8.self) + "\n")
        out.flush()
    }
}
