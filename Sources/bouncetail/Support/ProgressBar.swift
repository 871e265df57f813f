import BounceDaemon
import Foundation

/// A one-line progress display on standard error, only when it is a terminal.
final class ProgressBar {
    private let enabled: Bool
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ p: BackfillProgress, elapsed: TimeInterval) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let mb = Double(p.bytes) / 1e6
        let rate = elapsed > 0 ? Double(p.lines) / elapsed : 0
        let name = (p.path as NSString).lastPathComponent
        let text = String(
            format: "\r%@  %.1f MB  %d lines  %.0f lines/s  %d bounces ", name, mb, p.lines, rate, p.events)
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
