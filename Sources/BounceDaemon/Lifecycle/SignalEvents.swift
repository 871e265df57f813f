import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// What an operator asked for by signal.
public enum SignalEvent: Sendable, Equatable {
    /// SIGHUP: reload the pattern set (and whatever else is reloadable).
    case reload
    /// SIGTERM or SIGINT: stop reading, commit, exit 0.
    case shutdown(signal: Int32)
}

/// Turns SIGHUP, SIGTERM and SIGINT into an `AsyncStream` of `SignalEvent`s.
///
/// The signals' default actions are replaced by `SIG_IGN` while the stream is alive and a
/// `DispatchSource` observes them (the usual way on Linux: the dispatch source still sees an ignored
/// signal). When the stream ends, the sources are cancelled and the default actions restored.
public enum SignalEvents {
    /// The default mapping: HUP reloads; TERM and INT shut down.
    public static func stream(reload: [Int32] = [SIGHUP], shutdown: [Int32] = [SIGTERM, SIGINT]) -> AsyncStream<
        SignalEvent
    > {
        let (stream, continuation) = AsyncStream.makeStream(of: SignalEvent.self, bufferingPolicy: .unbounded)
        let queue = DispatchQueue(label: "bouncetail.signals")
        var sources: [any DispatchSourceSignal] = []
        for (sig, event) in reload.map({ ($0, SignalEvent.reload) })
            + shutdown.map({ ($0, SignalEvent.shutdown(signal: $0)) })
        {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { continuation.yield(event) }
            source.resume()
            sources.append(source)
        }
        let owned = SignalSources(sources: sources, signals: reload + shutdown)
        continuation.onTermination = { _ in owned.cancel() }
        return stream
    }
}

// DispatchSource objects are thread-safe (libdispatch serialises their state), but the protocol is not
// marked Sendable in corelibs-libdispatch; this box only holds them until `cancel()` runs once.
private final class SignalSources: @unchecked Sendable {
    let sources: [any DispatchSourceSignal]
    let signals: [Int32]

    init(sources: [any DispatchSourceSignal], signals: [Int32]) {
        self.sources = sources
        self.signals = signals
    }

    func cancel() {
        for s in sources { s.cancel() }
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
