import ArgumentParser
import BounceStore

struct OutboxRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue dead letters for delivery again (by id, or all).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Outbox ids (see `outbox list --dead`).") var ids: [Int64] = []
    @Flag(name: .customLong("all-dead"), help: "Every dead letter.") var allDead = false

    func validate() throws {
        if ids.isEmpty == !allDead { throw ValidationError("give outbox ids or --all-dead") }
    }

    func run() async throws {
        let db = try CLIContext(common).openState()
        let n = allDead ? try db.retryAllDead() : try db.retryDead(ids: ids)
        print("queued \(n) dead letter(s) for delivery again")
    }
}
