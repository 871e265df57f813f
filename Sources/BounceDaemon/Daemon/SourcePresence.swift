import BounceSources
import Foundation
import Logging
import Synchronization

/// Says, in the log, in `/healthz` and in `bouncetail_source_missing`, when a file source's paths name
/// no file: the follower waits for them silently, and a daemon that reads nothing must not look healthy.
final class SourcePresence: Sendable {
    private let source: FileSourceConfig
    private let name: String
    private let context: DaemonShell.Context
    private let logger: Logger
    /// The paths found absent at the last check (nil before the first), and when that was.
    private let state = Mutex<(absent: [String]?, checked: ContinuousClock.Instant)>((nil, .now))
    private let interval: Duration = .seconds(5)

    init(source: FileSourceConfig, name: String, context: DaemonShell.Context, logger: Logger) {
        self.source = source
        self.name = name
        self.context = context
        self.logger = logger
    }

    /// The paths and globs that name no regular file now.
    static func absentPaths(_ paths: [String]) -> [String] {
        paths.filter { BackfillPlanner.expand([$0]).paths.isEmpty }
    }

    /// The `/healthz` text for a source whose `absent` paths name no file.
    static func note(absent: [String], optional: Bool) -> String {
        let list = absent.joined(separator: ", ")
        let verb = absent.count == 1 ? "does" : "do"
        return optional
            ? "\(list) \(verb) not exist (optional source: read once it appears)"
            : "\(list) \(verb) not exist yet: nothing is read from it until it appears; check [[sources.file]] paths"
    }

    /// Checks now (at start) and then at most every few seconds; reports changes only.
    func check(force: Bool = false) {
        let now = ContinuousClock.now
        let due = state.withLock { s -> Bool in
            guard force || now - s.checked >= interval else { return false }
            s.checked = now
            return true
        }
        guard due else { return }
        let missing = Self.absentPaths(source.paths)
        let changed = state.withLock { s -> Bool in
            guard missing != s.absent else { return false }
            s.absent = missing
            return true
        }
        guard changed else { return }
        let component = "source:\(name)"
        context.metrics.sourceMissing(source: name).record(missing.isEmpty ? 0 : 1)
        if missing.isEmpty {
            context.health.clearNote(component)
            if force { return }
            logger.notice("file source \(name): its file exists now; reading it")
            return
        }
        let text = Self.note(absent: missing, optional: source.optional)
        context.health.setNote(component, text, degrades: !source.optional)
        if source.optional {
            logger.notice("file source \(name): \(text)")
        } else {
            logger.warning("file source \(name): \(text)")
        }
    }
}
