import Synchronization

/// What `/healthz` reports: healthy, or the list of problems.
public enum HealthStatus: Sendable, Equatable {
    case healthy
    /// Each problem as `component: reason`, sorted by component.
    case unhealthy([HealthRegistry.Problem])

    /// Whether the daemon is healthy.
    public var isHealthy: Bool { if case .healthy = self { return true } else { return false } }
}

/// The daemon's health, updated by its parts and read by `/healthz`.
///
/// Each part reports under its own component name (`dispatcher`, `source:/var/log/mail.log`, `disk`,
/// `state_db`) and clears it when the problem is gone, so one part recovering never hides another's
/// problem. Synchronous and thread-safe, so the journal's reader thread can report too.
public final class HealthRegistry: Sendable {
    /// One problem.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// Who reported it.
        public var component: String
        /// What is wrong, in words an operator can act on.
        public var reason: String
        public var description: String { "\(component): \(reason)" }
    }

    /// Something `/healthz` says besides problems: a configured source that does not exist yet. A
    /// degrading note turns a 200 "ok" into a 200 "degraded" (the daemon runs, but reads less than
    /// configured); a plain note is information (an optional source, absent on this machine).
    public struct Note: Sendable, Hashable, CustomStringConvertible {
        /// Who reported it.
        public var component: String
        /// What it is, in words an operator can act on.
        public var text: String
        /// Whether it degrades the status.
        public var degrades: Bool
        public var description: String { "\(component): \(text)" }
    }

    private let problems = Mutex<[String: String]>([:])
    private let noteTable = Mutex<[String: Note]>([:])
    private let metrics: BounceMetrics?

    /// A registry with no problems; when `metrics` is given, `bouncetail_healthy` follows the status.
    public init(metrics: BounceMetrics? = nil) {
        self.metrics = metrics
        metrics?.healthy.record(1)
    }

    /// Marks `component` unhealthy because of `reason` (replacing its previous reason).
    public func setUnhealthy(_ component: String, reason: String) {
        problems.withLock { $0[component] = reason }
        metrics?.healthy.record(0)
    }

    /// Clears `component`'s problem.
    public func setHealthy(_ component: String) {
        let empty = problems.withLock { p -> Bool in
            p[component] = nil
            return p.isEmpty
        }
        if empty { metrics?.healthy.record(1) }
    }

    /// Sets (or replaces) `component`'s note.
    public func setNote(_ component: String, _ text: String, degrades: Bool) {
        noteTable.withLock { $0[component] = Note(component: component, text: text, degrades: degrades) }
    }

    /// Clears `component`'s note.
    public func clearNote(_ component: String) {
        _ = noteTable.withLock { $0.removeValue(forKey: component) }
    }

    /// The current notes, sorted by component.
    public var notes: [Note] { noteTable.withLock { $0 }.values.sorted { $0.component < $1.component } }

    /// What `/healthz` answers: 503 and `unhealthy` with the problems; else 200 and `degraded` when a
    /// note degrades, else `ok`; each note on its own line after the problems.
    public static func healthz(_ status: HealthStatus, notes: [Note]) -> (status: Int, body: String) {
        let noteLines = notes.map { "\($0.degrades ? "degraded" : "note"): \($0)\n" }.joined()
        switch status {
        case .unhealthy(let problems):
            return (503, "unhealthy\n" + problems.map { "\($0)\n" }.joined() + noteLines)
        case .healthy:
            return (200, (notes.contains(where: \.degrades) ? "degraded\n" : "ok\n") + noteLines)
        }
    }

    /// The current status.
    public var status: HealthStatus {
        let snapshot = problems.withLock { $0 }
        if snapshot.isEmpty { return .healthy }
        return .unhealthy(snapshot.sorted { $0.key < $1.key }.map { Problem(component: $0.key, reason: $0.value) })
    }
}
