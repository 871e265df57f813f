import BounceClassifier
import BounceStore
import Foundation
import Logging
import Synchronization

/// `run`'s mail inputs: each `[[mail.maildir]]` and `[[mail.mailbox]]` on its own thread (reads and
/// sessions block), polled at its interval, committing through ``MailIngest`` and only then moving or
/// deleting the mail. Mailboxes are polled by a child process (`bouncetail poll-mailbox`) when
/// `childArguments` is given, which `run` does.
public final class MailInputService: Sendable {
    private let config: BounceTailConfig
    private let db: StateDB
    private let patterns: ReloadCoordinator<Classifier>
    private let logger: Logger
    private let wake: WakeSignal?
    private let stopped = Mutex(false)
    private let running = Mutex(0)
    private let childArguments: (@Sendable (MailboxInputConfig) -> [String])?

    public init(
        config: BounceTailConfig, db: StateDB, patterns: ReloadCoordinator<Classifier>, logger: Logger,
        wake: WakeSignal? = nil, childArguments: (@Sendable (MailboxInputConfig) -> [String])? = nil
    ) {
        self.childArguments = childArguments
        self.config = config
        self.db = db
        self.patterns = patterns
        self.logger = logger
        self.wake = wake
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// Runs until cancelled; then lets each input finish the mail in hand and end its session.
    public func run(context: DaemonShell.Context) async throws {
        for input in config.mail.maildirs {
            start(name: input.name, interval: input.pollInterval, context: context) { [self] in
                pollMaildir(input)
            }
        }
        for input in config.mail.mailboxes {
            start(name: input.name, interval: input.pollInterval, context: context) { [self] in
                pollMailbox(input)
            }
        }
        guard config.mail.hasInputs else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(200))
        }
        stopped.withLock { $0 = true }
        while running.withLock({ $0 }) > 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func start(
        name: String, interval: ConfigDuration, context: DaemonShell.Context,
        poll: @escaping @Sendable () -> MailPollResult
    ) {
        running.withLock { $0 += 1 }
        let metrics = context.metrics
        let log = logger
        Thread.detachNewThread { [self] in
            defer { running.withLock { $0 -= 1 } }
            let polls = metrics.mailPolls(input: name)
            let messages = metrics.mailInputMessages(input: name)
            // Visible at 0 from the start: an alert on their increase needs a first sample.
            polls.increment(by: 0)
            messages.increment(by: 0)
            while !isStopped {
                let result = poll()
                polls.increment()
                if result.committed > 0 {
                    messages.increment(by: Int64(result.committed))
                    log.info(
                        "mail input",
                        metadata: [
                            "input": "\(name)", "mails": "\(result.committed)", "new_events": "\(result.inserted)",
                        ])
                }
                if result.inserted > 0 { wake?.signal() }
                if let kind = result.errorKind {
                    metrics.mailPollErrors(input: name, error: kind).increment()
                    log.warning("mail input", metadata: ["input": "\(name)", "error": "\(result.error ?? kind)"])
                }
                // Sleep in short steps so a stop is seen soon.
                var slept: Int64 = 0
                while slept < interval.milliseconds, !isStopped {
                    let step = min(100, interval.milliseconds - slept)
                    usleep(UInt32(step * 1000))
                    slept += step
                }
            }
        }
    }

    private func pollMaildir(_ input: MaildirInputConfig) -> MailPollResult {
        let ingest = MailIngest(config: config, classifier: patterns.current)
        let summary = MaildirPass(ingest: ingest, input: input).run(db: db, shouldStop: { isStopped })
        var result = MailPollResult(committed: summary.committed, inserted: summary.inserted)
        if let e = summary.error {
            result.errorKind = e.contains("not stored") ? "commit" : "maildir"
            result.error = e
        }
        return result
    }

    /// Runs `poll-mailbox` for `input` in a child process (so this daemon never maps libcurl and the
    /// TLS libraries: docs/design/2026-12-03-mail-inputs.md) and waits for it; a stop request is passed
    /// on as SIGTERM (the child ends its session after the mail in hand). Without a child command (tests)
    /// the poll runs in this process.
    private func pollMailbox(_ input: MailboxInputConfig) -> MailPollResult {
        guard let childArguments else {
            let ingest = MailIngest(config: config, classifier: patterns.current)
            return MailboxPollOnce.run(input, ingest: ingest, db: db, shouldStop: { isStopped })
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = childArguments(input)
        let out = Pipe()
        process.standardOutput = out
        do {
            try process.run()
        } catch {
            return MailPollResult(errorKind: "child", error: "cannot start the mailbox poll process: \(error)")
        }
        // The child writes one short JSON line (its messages go to stderr, which is run's), far under a
        // pipe's 64 KiB, so waiting first and reading after cannot block it; the wait sees a stop request.
        var signalled = false
        while process.isRunning {
            if isStopped, !signalled {
                process.terminate()
                signalled = true
            }
            usleep(20_000)
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let lastLine = output.split(separator: 0x0A).last.map { Data($0) } ?? Data()
        if let result = try? JSONDecoder().decode(MailPollResult.self, from: lastLine) { return result }
        return MailPollResult(
            errorKind: "child",
            error:
                "the mailbox poll process ended (status \(process.terminationStatus)) without a result; see its messages above"
        )
    }
}
