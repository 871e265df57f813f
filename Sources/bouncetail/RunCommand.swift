import ArgumentParser
import BounceClassifier
import BounceDaemon
import Foundation
import Logging

/// `bouncetail run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Follow the configured logs and the journal, and deliver bounces (the systemd service).")

    @OptionGroup var common: CommonOptions
    @Option(
        help:
            "The identity host of lines that name no host (Exim's mainlog) and of this machine's own lines (default [general] host_name)."
    )
    var hostName: String?

    func run() async throws {
        // Take SIGTERM/SIGINT/SIGHUP before the slow part of start-up (configuration, pattern set, state
        // database): a stop asked for while starting is kept in the stream and honoured as soon as the
        // shell runs (a clean exit 0), instead of the default action killing a half-started daemon.
        let signals = SignalEvents.stream()
        var overrides: [ConfigOverride] = []
        if let hostName {
            overrides.append(ConfigOverride("general.host_name", .string(hostName), origin: "--host-name"))
        }
        let ctx = try CLIContext(common, overrides: overrides)
        let config = ctx.config
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = Logger.Level(rawValue: config.general.logLevel.rawValue) ?? .info
            return h
        }
        let logger = Logger(label: "bouncetail")
        if config.sources.files.isEmpty && !config.sources.journal.enabled && !config.mail.hasInputs {
            throw ValidationError(
                "nothing to follow: configure [[sources.file]] paths, [sources.journal] enabled = true, or a [[mail.maildir]] or [[mail.mailbox]] in \(common.config ?? "the configuration")"
            )
        }
        for line in StartupSummary.lines(config) { logger.notice("\(line)") }
        let warnSource: @Sendable (String) -> Void = { logger.warning("pattern rule without a source: \($0)") }
        let initial = try PatternReload.loadChecked(config, warn: warnSource)
        let db = try ctx.openState()
        // The shell bootstraps the process-wide metrics, so the reload coordinator made after it counts too.
        let shell = DaemonShell(config: config, logger: logger)
        let patterns = ReloadCoordinator(
            name: "pattern set", initial: initial, metrics: BounceMetrics(), logger: logger,
            loader: { try PatternReload.loadChecked(config, warn: warnSource) })
        let wake = WakeSignal()
        // Each mailbox poll is a child process (`poll-mailbox`) with this run's configuration.
        let pid = getpid()
        let base =
            ["poll-mailbox"] + (common.config.map { ["--config", $0] } ?? [])
            + (common.state.map { ["--state", $0] } ?? []) + (hostName.map { ["--host-name", $0] } ?? [])
        let pollArguments: @Sendable (MailboxInputConfig) -> [String] = { input in
            base + ["--input", input.name, "--parent", String(pid)]
        }
        try await shell.run(signals: signals, onReload: { await patterns.reload() }) { context in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await FollowDaemon(config: config, db: db, patterns: patterns, logger: logger, wake: wake).run(
                        context: context)
                }
                if config.mail.hasInputs {
                    group.addTask {
                        try await MailInputService(
                            config: config, db: db, patterns: patterns, logger: logger, wake: wake,
                            childArguments: pollArguments
                        ).run(context: context)
                    }
                }
                group.addTask {
                    try await DeliveryService.run(config: config, db: db, context: context, logger: logger, wake: wake)
                }
                try await group.next()
                group.cancelAll()
                try await group.waitForAll()
            }
        }
    }
}
