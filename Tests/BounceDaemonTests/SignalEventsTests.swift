import Glibc
import Testing

@testable import BounceDaemon

@Suite(.serialized) struct SignalEventsTests {
    /// Sends `sig` to this process until the observer has seen it: the dispatch source registers
    /// asynchronously, and a signal sent before that is ignored (SIG_IGN), not queued.
    private func deliver(_ sig: Int32, to iterator: inout AsyncStream<SignalEvent>.Iterator) async -> SignalEvent? {
        let sender = Task {
            for _ in 0..<250 where !Task.isCancelled {
                kill(getpid(), sig)
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let event = await iterator.next()
        sender.cancel()
        await sender.value
        return event
    }

    @Test func reloadAndShutdownSignalsBecomeEvents() async {
        // SIGUSR1/SIGUSR2 stand in for HUP and TERM so that a mistake cannot stop the test process.
        let stream = SignalEvents.stream(reload: [SIGUSR1], shutdown: [SIGUSR2])
        var iterator = stream.makeAsyncIterator()
        #expect(await deliver(SIGUSR1, to: &iterator) == .reload)
        // Drain repeats of the first signal, then the shutdown must arrive.
        var next = await deliver(SIGUSR2, to: &iterator)
        while next == .reload { next = await deliver(SIGUSR2, to: &iterator) }
        #expect(next == .shutdown(signal: SIGUSR2))
    }

    @Test func theRealSighupIsObserved() async {
        let stream = SignalEvents.stream(reload: [SIGHUP], shutdown: [])
        var iterator = stream.makeAsyncIterator()
        #expect(await deliver(SIGHUP, to: &iterator) == .reload)
    }
}
