import Logging
import Synchronization

/// The result of one reload.
public enum ReloadOutcome: Sendable, Equatable {
    /// The new value is in use.
    case accepted
    /// The loader failed; the old value stays. The text says why (file, line, what is wrong).
    case refused(String)
}

/// Holds a value that can be replaced at run time (the pattern set and its policy) and replaces it
/// only with one that a validating loader accepted: a new pattern set that fails to compile or fails
/// its test vectors is refused and the old one stays in use.
///
/// Readers call `current` from any thread (a lock, no await, cheap enough per batch). Reloads are
/// serialised: a reload that starts while another runs waits for it.
public final class ReloadCoordinator<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    private let generation = Mutex<Int>(0)
    private let loader: @Sendable () async throws -> Value
    private let onAccepted: @Sendable (Value) async -> Void
    private let serial = ReloadSerialiser()
    private let metrics: BounceMetrics?
    private let logger: Logger
    private let name: String

    /// - Parameters:
    ///   - name: What is reloaded, for logs (`pattern set`).
    ///   - initial: The value in use at start (loaded by the same loader, whose failure at start-up is fatal).
    ///   - loader: Builds and validates a new value; throws with a clear message when it is not acceptable.
    ///   - onAccepted: Called with each accepted value after it is in place (e.g. to clear a memo cache).
    public init(
        name: String,
        initial: Value,
        metrics: BounceMetrics? = nil,
        logger: Logger = Logger(label: "bouncetail.reload"),
        loader: @escaping @Sendable () async throws -> Value,
        onAccepted: @escaping @Sendable (Value) async -> Void = { _ in }
    ) {
        self.name = name
        self.value = Mutex(initial)
        self.loader = loader
        self.onAccepted = onAccepted
        self.metrics = metrics
        self.logger = logger
    }

    /// The value in use.
    public var current: Value { value.withLock { $0 } }

    /// How many reloads were accepted since start.
    public var acceptedCount: Int { generation.withLock { $0 } }

    /// Runs the loader and swaps the value in when it succeeds; keeps the old value when it throws.
    @discardableResult
    public func reload() async -> ReloadOutcome {
        await serial.run {
            do {
                let fresh = try await self.loader()
                self.value.withLock { $0 = fresh }
                self.generation.withLock { $0 += 1 }
                await self.onAccepted(fresh)
                self.metrics?.patternReloads(result: "accepted").increment()
                self.logger.notice("\(self.name) reloaded")
                return .accepted
            } catch {
                self.metrics?.patternReloads(result: "refused").increment()
                self.logger.error(
                    "\(self.name) reload refused; the previous one stays in use", metadata: ["error": "\(error)"])
                return .refused("\(error)")
            }
        }
    }
}

/// Runs one reload at a time, in arrival order.
private actor ReloadSerialiser {
    private var tail: Task<Void, Never>? = nil

    func run(_ body: @escaping @Sendable () async -> ReloadOutcome) async -> ReloadOutcome {
        let previous = tail
        let task = Task { () -> ReloadOutcome in
            await previous?.value
            return await body()
        }
        tail = Task { _ = await task.value }
        return await task.value
    }
}
