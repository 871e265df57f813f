import ArgumentParser
import BounceStore

struct OutboxStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Counts of pending, held, sent and dead bounces, and the oldest pending age.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let db = try CLIContext(common).openExistingState()
        let s = try db.status()
        if json {
            var w = JSONLine()
            w.field("pending", s.pending)
            w.field("held", s.held)
            w.field("sent", s.sent)
            w.field("dead", s.dead)
            w.field("stored", s.stored)
            w.field("oldest_pending_seconds", s.oldestPendingAge.map { Int($0) })
            print(w.finish())
        } else {
            print("pending \(s.pending)  held \(s.held)  sent \(s.sent)  dead \(s.dead)  stored locally \(s.stored)")
            if let age = s.oldestPendingAge { print("oldest pending: \(Int(age)) s") }
        }
    }
}
