import ArgumentParser
import BounceStore
import Foundation

struct OutboxPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Delete dead letters (all, or those that died before a date).")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Purge dead letters (required: the only kind purge deletes).") var dead = false
    @Option(help: "Only those dead before this date (YYYY-MM-DD or RFC 3339).") var before: String?

    func validate() throws {
        if !dead { throw ValidationError("purge deletes dead letters only: say --dead") }
    }

    func run() async throws {
        let db = try CLIContext(common).openState()
        let cutoff = try before.map { try DateArgument.parse($0, option: "--before") }
        let n = try db.purgeDead(before: cutoff)
        print("purged \(n) dead letter(s)")
    }
}
