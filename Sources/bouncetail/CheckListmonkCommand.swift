import ArgumentParser
import BounceDaemon
import BounceDelivery
import Logging

/// `bouncetail check-listmonk`: proves URL, route and credentials without recording anything.
struct CheckListmonkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-listmonk",
        abstract: "Check the listmonk URL, webhook route and credentials, recording nothing.",
        discussion: """
            Posts an empty bounce ({}); a correctly set-up listmonk rejects it with 400 "Invalid fields: email / \
            subscriber_uuid". Every other answer is explained. Exit status 0 only when all is well.
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let ctx = try CLIContext(common)
        let client = try DeliveryService.listmonkClient(ctx.config, logger: Logger(label: "bouncetail"))
        let result = await client.checkListmonk()
        try? await client.shutdown()
        print(result.description)
        if !result.isOK { throw ExitCode(1) }
    }
}
