import ArgumentParser
import BounceDaemon
import BounceStore
import Logging

/// `bouncetail replay --to webhook`: send bounces kept in the local store to listmonk later.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send bounces from the local store to listmonk (store-and-forward).",
        discussion: """
            Each replayed bounce is a deliberate resend with its own identity: the dedup key of the original does \
            not block it, and replaying twice sends twice. Needs [listmonk] in the configuration.
            """)

    enum Target: String, ExpressibleByArgument { case webhook }

    @OptionGroup var common: CommonOptions
    @Option(help: "Where to send: webhook (listmonk's POST /webhooks/bounce).") var to: Target
    @Option(help: "Only bounces logged at or after this date (YYYY-MM-DD or RFC 3339).") var since: String?

    func run() async throws {
        let ctx = try CLIContext(
            common, overrides: [ConfigOverride("sink.kind", .string("webhook"), origin: "--to webhook")])
        let db = try ctx.openState()
        let n = try db.enqueueReplay(since: try since.map { try DateArgument.parse($0, option: "--since") })
        StandardError.line("replay: \(n) stored bounce(s) queued for listmonk")
        if let stats = try await DeliveryService.untilDrained(
            config: ctx.config, db: db, logger: Logger(label: "bouncetail"))
        {
            StandardError.line("delivery: \(stats)")
        }
    }
}
