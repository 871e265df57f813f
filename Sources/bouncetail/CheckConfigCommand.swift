import ArgumentParser
import BounceClassifier
import BounceDaemon

/// `bouncetail check-config`: validates the configuration file and the pattern set together.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration file and the pattern set it names; exit non-zero on any problem.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let ctx: CLIContext
        do { ctx = try CLIContext(common) } catch {
            StandardError.line("\(error)")
            throw ExitCode(1)
        }
        let config = ctx.config
        print("configuration: \(common.config ?? BounceTailConfig.defaultPath): ok")
        print(config.spikeGuard.summary)
        print(config.hosts.summary(hostName: config.general.hostName))
        do {
            let set = try PipelineFactory.loadPatterns(config)
            let failures = checkPatterns(set)
            if !failures.isEmpty {
                for f in failures { StandardError.line("\(f)") }
                StandardError.line("pattern set: \(failures.count) failing check(s)")
                throw ExitCode(1)
            }
            print("pattern set: \(set.rules.count) rules from \(set.sources.count) file(s): ok")
        } catch let e as ExitCode {
            throw e
        } catch {
            StandardError.line("pattern set: \(error)")
            throw ExitCode(1)
        }
        if config.sink.kind == .webhook, config.listmonk.url == nil {
            StandardError.line("[sink] kind = \"webhook\" needs [listmonk] url")
            throw ExitCode(1)
        }
    }
}
