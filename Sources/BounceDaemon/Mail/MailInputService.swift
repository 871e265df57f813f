import BounceClassifier
import BounceMailbox
import BounceStore
import Foundation
import Logging
import Synchronization

/// `run`'s mail inputs: each `[[mail.maildir]]` and `[[mail.mailbox]]` on its own thread (the reads and
/// libcurl's sessions block), polled at its interval, committing through ``MailIngest`` and only then
/// moving or deleting the mail.
public final class MailInputService: Sendable {
    private let config: BounceTailConfig
    private let db: StateDB
    private let patterns: ReloadCoordinator<Classifier>
    private let logger: Logger
    private let wake: WakeSignal?
    private let stopped = Mutex(false)
    private let running = Mutex(0)

    public init(
        config: BounceTailConfig, db: StateDB, patterns: ReloadCoordinator<Classifier>, logger: Logger,
        wake: WakeSignal? = nil
    ) {
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

    /// One poll's result, for the metrics and the log.
    struct PollResult {
        var committed = 0
        var inserted = 0
        var errorKind: String?
        var error: String?
    }

    private func start(
        name: String, interval: ConfigDuration, context: DaemonShell.Context, poll: @escaping @Sendable () -> PollResult
    ) {
        running.withLock { $0 += 1 }
        let metrics = context.metrics
        let log = logger
        Thread.detachNewThread { [self] in
            defer { running.withLock { $0 -= 1 } }
            let polls = metrics.mailPolls(input: name)
            let messages = metrics.mailMessages(input: name)
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

    private func pollMaildir(_ input: MaildirInputConfig) -> PollResult {
        let ingest = MailIngest(config: config, classifier: patterns.current)
        let summary = MaildirPass(ingest: ingest, input: input).run(db: db, shouldStop: { isStopped })
        var result = PollResult(committed: summary.committed, inserted: summary.inserted)
        if let e = summary.error {
            result.errorKind = e.contains("not stored") ? "commit" : "maildir"
            result.error = e
        }
        return result
    }

    private func pollMailbox(_ input: MailboxInputConfig) -> PollResult {
        var result = PollResult()
        let password: String
        do {
            password = try input.resolvePassword()
        } catch {
            return PollResult(errorKind: "login", error: error.description)
        }
        let endpoint = MailboxEndpoint(
            url: input.url, username: input.username, password: password, caFile: input.caFile,
            timeoutSeconds: Int(max(1, input.timeout.milliseconds / 1000)))
        let ingest = MailIngest(config: config, classifier: patterns.current)
        let limit = Int(config.mail.maxBytes.bytes) + 1
        var inserted = 0
        let commit: ([UInt8]) throws -> Void = { [db] bytes in
            inserted += try ingest.ingest(bytes, db: db).inserted
        }
        let summary: PollSummary
        do {
            if input.isIMAP {
                let disposal: IMAPMailbox.Disposal =
                    input.after == .move ? .move(to: input.moveTo ?? "Processed") : .delete
                summary = MailboxPoll.run(
                    try IMAPMailbox(endpoint, disposal: disposal), limit: limit, commit: commit,
                    shouldStop: { isStopped })
            } else {
                summary = MailboxPoll.run(
                    try POP3Mailbox(endpoint), limit: limit, commit: commit, shouldStop: { isStopped })
            }
        } catch {
            return PollResult(errorKind: error.kind.rawValue, error: error.description)
        }
        result.committed = summary.committed
        result.inserted = inserted
        if let e = summary.error {
            result.errorKind = e.kind.rawValue
            result.error = e.description
        }
        return result
    }
}
