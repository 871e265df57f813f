import ArgumentParser
import BounceStore
import Foundation

struct OutboxListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List outbox rows (pending by default), one JSON object per line.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Held bounces (sender fault, too old, superseded, spike guard).") var held = false
    @Flag(help: "Dead letters (rejected by listmonk for good), with listmonk's status and message.") var dead = false
    @Flag(help: "Sent bounces.") var sent = false
    @Option(help: "Only this reason.") var reason: String?
    @Option(help: "At most this many rows.") var limit = 100

    func run() async throws {
        let db = try CLIContext(common).openExistingState()
        var states: Set<OutboxState> = []
        if held { states.insert(.held) }
        if dead { states.insert(.dead) }
        if sent { states.insert(.sent) }
        if states.isEmpty { states = [.pending] }
        for row in try db.list(OutboxQuery(states: states, reason: reason, limit: limit)) {
            var w = JSONLine()
            w.field("id", Int(row.id))
            w.field("state", row.state.rawValue)
            w.field("email", row.email)
            w.field("reason", row.reason)
            w.field("type", row.type)
            w.field("fault", row.fault)
            w.field("action", row.action)
            w.field("created_at", ISO8601DateFormatter().string(from: row.createdAt))
            w.field("attempts", row.attempts)
            w.field("hold_reason", row.holdReason)
            w.field("last_status", row.lastStatus)
            w.field("last_error", row.lastError)
            w.field("last_body", row.lastBody)
            print(w.finish())
        }
    }
}
