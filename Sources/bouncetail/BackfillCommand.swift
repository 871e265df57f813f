import ArgumentParser
import BounceClassifier
import BounceCore
import BounceDaemon
import BounceSources
import BounceStore
import Foundation
import Logging

/// `bouncetail backfill`: read logs already written (rotated, compressed) once, oldest first.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Read logs already written (mail.log.N.gz ... mail.log) once and record their bounces.",
        discussion: """
            Files, globs and directories are grouped into rotation families and read oldest first. Without \
            --dry-run, events go to the state database: to listmonk when [sink] kind = "webhook" (or "auto" \
            with [listmonk] url set), else to the local store. Running it again, or while `bouncetail run` \
            runs, sends nothing twice.

            Each input that names no file, each file skipped and each file that is not a mail log is named \
            with the reason before the summary. Exit status: 0 when every input was read (or had been); 1 \
            when an input names no file, a file cannot be read, or nothing that is a mail log was read; 2 \
            when a file failed while being read.

            With --journal, the systemd journal is read instead (the local journal, [sources.journal] \
            directory/files, or --journal-dir), with the [sources.journal] selection: from --since, else \
            after the cursor stored by an earlier run or backfill, else from the oldest entry, up to its \
            current end. The cursor is stored with the events, so `bouncetail run` resumes from there.
            """)

    @OptionGroup var common: CommonOptions
    @Flag(help: "Print one BounceEvent per line (JSON Lines) on stdout, held ones included; read and write no state.")
    var dryRun = false
    @Option(
        help:
            "The identity host of lines that name no host (Exim's mainlog) and of this machine's own lines (default [general] host_name)."
    )
    var hostName: String?
    @Option(help: "Only bounces logged at or after this date (YYYY-MM-DD or RFC 3339); earlier lines are still read.")
    var since: String?
    @Option(help: "Only bounces logged before this date.") var until: String?
    @Option(help: "Time zone of the logs' timestamps (default [general] time_zone).") var timeZone: String?
    @Flag(help: "Never show the progress bar.") var quiet = false
    @Flag(help: "Read the systemd journal instead of log files (selection from [sources.journal]).")
    var journal = false
    @Option(
        help: ArgumentHelp("A journal directory to read (implies --journal), e.g. /var/log/journal.", valueName: "dir"))
    var journalDir: String?
    @Option(
        name: .customLong("maildir"),
        help: ArgumentHelp(
            "A Maildir whose mails (cur/ and new/) to read; nothing is moved. Repeatable.", valueName: "dir"))
    var maildirs: [String] = []
    @Option(
        name: .customLong("mbox"), help: ArgumentHelp("A mbox file of mails to read. Repeatable.", valueName: "file"))
    var mboxes: [String] = []
    @Option(help: "How the mbox files quoted body lines starting with From: mboxrd or mboxo.")
    var mboxFormat: MboxQuoting = .mboxrd
    @Argument(help: "Log files, globs or directories.") var inputs: [String] = []

    func validate() throws {
        let readsJournal = journal || journalDir != nil
        if !maildirs.isEmpty || !mboxes.isEmpty {
            if readsJournal || !inputs.isEmpty {
                throw ValidationError("read mail (--maildir, --mbox) and logs in separate runs")
            }
            if dryRun {
                throw ValidationError(
                    "--dry-run does not apply to mail: `bouncetail classify-mail DIR` prints what each mail holds")
            }
            return
        }
        if readsJournal && !inputs.isEmpty {
            throw ValidationError("read log files and the journal in separate runs: drop --journal or the file names")
        }
        if !readsJournal && inputs.isEmpty {
            throw ValidationError("name the log files to read, e.g. /var/log/mail.log*, or give --journal")
        }
    }

    func run() async throws {
        var overrides: [ConfigOverride] = []
        if let hostName {
            overrides.append(ConfigOverride("general.host_name", .string(hostName), origin: "--host-name"))
        }
        if let timeZone {
            overrides.append(ConfigOverride("general.time_zone", .string(timeZone), origin: "--time-zone"))
        }
        let ctx = try CLIContext(common, overrides: overrides)
        let config = ctx.config
        let sinceTime = try since.map { LogTime(date: try DateArgument.parse($0, option: "--since")) }
        let untilTime = try until.map { LogTime(date: try DateArgument.parse($0, option: "--until")) }
        let patterns = try PipelineFactory.loadPatterns(config)
        if !maildirs.isEmpty || !mboxes.isEmpty {
            try await runMail(ctx: ctx, patterns: patterns)
            return
        }
        let pipeline = PipelineFactory.make(config, patterns: patterns, since: sinceTime, until: untilTime)
        // Closing leaves the WAL (up to the bulk checkpoint's 64 MiB, every frame synced) to the next writer's
        // checkpoint: copying it back at exit was serial time after the last commit (docs/design/
        // 2026-12-03-backfill-tail.md).
        let db = dryRun ? nil : try ctx.openState(bulk: true, oneShot: true)
        if journal || journalDir != nil {
            try await runJournal(ctx: ctx, pipeline: pipeline, db: db, since: sinceTime)
            return
        }
        let runner = BackfillRunner(
            pipeline: pipeline, db: db, sink: ctx.sinkIsLocalStore ? .localStore : .outbox,
            timeZone: PipelineFactory.timeZone(config.general.timeZone), maxLineLength: 1 << 20)

        StopSignal.install()
        let bar = ProgressBar(enabled: !quiet && isatty(2) != 0)
        let started = Date()
        var out = StandardOutput()
        let summary = try runner.run(
            inputs: inputs,
            emit: { events in
                guard dryRun else { return }
                for e in events { out.write(e.jsonLine() + "\n") }
            },
            progress: { bar.update($0, elapsed: Date().timeIntervalSince(started)) },
            shouldStop: { StopSignal.requested })
        out.flush()
        bar.finish()
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let verdict = BackfillVerdict(summary)
        // Warnings first, the summary last: it must agree with them, and be the line a reader sees.
        for w in verdict.warnings { StandardError.line("backfill: \(w)") }
        Self.reportGuard(pipeline)
        Self.printEnrichmentNotices(summary)
        var report = String(
            format: "backfill: %d file(s) read, %d skipped", summary.files, summary.skippedFiles)
        report += verdict.summarySuffix
        report += String(
            format: ", %d lines, %.1f MB in %.1f s (%.1f MB/s); %d bounce(s) found",
            summary.lines, Double(summary.bytes) / 1e6, seconds, Double(summary.bytes) / 1e6 / seconds,
            summary.events)
        report += Self.outcomeReport(summary, dryRun: dryRun, ctx: ctx)
        report += TrackerEvictionWarning(config.tracker).summary(summary.trackerCounters)
        if summary.skippedLongLines > 0 { report += "; \(summary.skippedLongLines) over-long line(s) skipped" }
        if summary.interrupted { report += "; interrupted: run the same command again to resume" }
        StandardError.line(report)
        if !dryRun, let db { try await Self.deliverOutbox(config: config, db: db) }
        if verdict.exitStatus != 0 { throw ExitCode(verdict.exitStatus) }
    }

    /// `--maildir`, `--mbox`: every mail through the same commit path as `ingest-mail`.
    private func runMail(ctx: CLIContext, patterns: PatternSet) async throws {
        let db = try ctx.openState()
        let ingest = MailIngest(config: ctx.config, classifier: Classifier(set: patterns))
        StopSignal.install()
        let started = Date()
        let summary = try MailBackfill(ingest: ingest, quoting: mboxFormat).run(
            maildirs: maildirs, mboxes: mboxes, db: db, shouldStop: { StopSignal.requested })
        for failure in summary.failedInputs { StandardError.line("backfill: \(failure)") }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let kinds = summary.kinds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var report = String(
            format: "backfill: %d mail(s) read in %.1f s; %d new event(s), %d already stored", summary.mails, seconds,
            summary.inserted, summary.duplicates)
        if !kinds.isEmpty { report += "; records: \(kinds)" }
        if summary.keptForReview > 0 {
            report += "; \(summary.keptForReview) kept for review in \(ctx.config.mail.reviewDir)"
        }
        if summary.interrupted { report += "; interrupted: run the same command again (it adds nothing twice)" }
        StandardError.line(report)
        try await Self.deliverOutbox(config: ctx.config, db: db)
        if !summary.failedInputs.isEmpty { throw ExitCode(1) }
    }

    /// `--journal`: reads the journal to its current end through the same pipeline.
    private func runJournal(ctx: CLIContext, pipeline: EventPipeline, db: StateDB?, since: LogTime?) async throws {
        let config = ctx.config
        var source = config.sources.journal
        if let journalDir {
            source.directory = journalDir
            source.files = []
        }
        let runner = JournalBackfillRunner(
            pipeline: pipeline, db: db, sink: ctx.sinkIsLocalStore ? .localStore : .outbox,
            host: config.general.hostName, timeZone: PipelineFactory.timeZone(config.general.timeZone))
        StopSignal.install()
        let started = Date()
        var out = StandardOutput()
        let (start, summary) = try await runner.run(
            config: source, since: since,
            emit: { events in
                guard dryRun else { return }
                for e in events { out.write(e.jsonLine() + "\n") }
            },
            shouldStop: { StopSignal.requested })
        out.flush()
        StandardError.line("backfill: \(start)")
        for warning in runner.trustWarnings { StandardError.line("backfill: warning: \(warning)") }
        if !runner.untrusted.isEmpty {
            StandardError.line(
                "backfill: warning: \(UntrustedEntryWarning.text(runner.untrusted, maxSenders: 10))")
        }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        var report = String(
            format: "backfill: journal: %d entries read in %.1f s (%.0f entries/s); %d bounce(s) found",
            summary.lines, seconds, Double(summary.lines) / seconds, summary.events)
        report += Self.outcomeReport(summary, dryRun: dryRun, ctx: ctx)
        report += TrackerEvictionWarning(config.tracker).summary(summary.trackerCounters)
        Self.reportGuard(pipeline)
        if summary.skippedLongLines > 0 { report += "; \(summary.skippedLongLines) unreadable journal entries skipped" }
        if summary.interrupted { report += "; interrupted: run the same command again to resume" }
        StandardError.line(report)
        Self.printEnrichmentNotices(summary)
        if !dryRun, let db { try await Self.deliverOutbox(config: config, db: db) }
    }
}

extension BackfillCommand {
    /// What became of the bounces found, for the summary line of a file or journal backfill: held (and how
    /// many of them the spike guard held), and without `--dry-run` new, known, enriched and where they went.
    static func outcomeReport(_ summary: BackfillSummary, dryRun: Bool, ctx: CLIContext) -> String {
        let guardHeld = summary.guardHeld > 0 ? " (guard-held \(summary.guardHeld))" : ""
        guard !dryRun else { return ", \(summary.held) held\(guardHeld)" }
        let db = ctx.config.general.stateDB
        return ", \(summary.newEvents) new, \(summary.duplicates) already known, \(summary.held) held\(guardHeld)"
            + enrichmentReport(summary) + (ctx.sinkIsLocalStore ? " (local store \(db))" : " (outbox \(db))")
    }

    /// Sends what the backfill enqueued when the sink is listmonk, before the command exits.
    static func deliverOutbox(config: BounceTailConfig, db: StateDB) async throws {
        guard config.sink.kind != .sqlite else { return }
        if let stats = try await DeliveryService.untilDrained(
            config: config, db: db, logger: Logger(label: "bouncetail"))
        {
            StandardError.line("delivery: \(stats)")
        }
    }

    /// `, 3 gained listmonk UUIDs, 1 UUID(s) too late`: what re-reading known bounces added to them.
    static func enrichmentReport(_ summary: BackfillSummary) -> String {
        var parts: [String] = []
        if summary.enriched > 0 { parts.append("\(summary.enriched) known bounce(s) gained listmonk UUIDs") }
        if summary.enrichTooLate > 0 {
            parts.append("\(summary.enrichTooLate) already delivered without their UUIDs")
        }
        if summary.enrichConflicts > 0 { parts.append("\(summary.enrichConflicts) with conflicting UUIDs (kept)") }
        return parts.map { ", " + $0 }.joined()
    }

    /// One line per late or conflicting UUID, the first 20 of them.
    /// Prints the spike guard's trips and releases (each batch committed its own as run-time facts, so
    /// `bouncetail report` shows them; a re-read backfill records each once).
    static func reportGuard(_ pipeline: EventPipeline) {
        for t in pipeline.drainGuardTransitions() { StandardError.line("backfill: \(t)") }
    }

    static func printEnrichmentNotices(_ summary: BackfillSummary) {
        for n in summary.enrichmentNotices { StandardError.line("backfill: \(n)") }
        let total = summary.enrichTooLate + summary.enrichConflicts
        if total > summary.enrichmentNotices.count {
            StandardError.line(
                "backfill: and \(total - summary.enrichmentNotices.count) more; each is noted in dedup_keys.enrich_note"
            )
        }
    }
}

extension MboxQuoting: ExpressibleByArgument {}
