import ArgumentParser
import BounceStore

struct OutboxReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Send held bounces after all (by id, or every held bounce of a reason).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Outbox ids (see `outbox list --held`).") var ids: [Int64] = []
    @Option(help: "Release every held bounce with this reason.") var reason: String?

    func validate() throws {
        if ids.isEmpty == (reason == nil) {
            throw ValidationError("give outbox ids or --reason, not both and not neither")
        }
    }

    func run() async throws {
        let ctx = try CLIContext(common)
        let db = try ctx.openState()
        let sink: Batch.Sink = ctx.sinkIsLocalStore ? .localStore : .outbox
        let n =
            try reason.map { r throws(StateDBError) in try db.releaseHeld(reason: r, sink: sink) }
            ?? db.releaseHeld(ids: ids, sink: sink)
        print("released \(n) held bounce(s)")
    }
}
