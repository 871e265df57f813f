import ArgumentParser
import BounceClassifier
import BounceDaemon
import BounceSources

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
        Self.printProvenance(config)
        if config.sink.kind == .webhook, config.listmonk.url == nil {
            StandardError.line("[sink] kind = \"webhook\" needs [listmonk] url")
            throw ExitCode(1)
        }
    }

    /// What each source can prove about who wrote its lines: warnings for files any local user can
    /// write into (they do not fail the check: the operator decides), notes for the rest.
    static func printProvenance(_ config: BounceTailConfig) {
        for source in config.sources.files {
            for pattern in source.paths {
                let path = BackfillPlanner.expand([pattern]).paths.first ?? pattern
                for finding in FileSourceTrust.assess(FileSourceFacts.gather(path: path)) {
                    let line = "file source \(source.name): \(path): \(finding)"
                    if finding.warning { StandardError.line(line) } else { print(line) }
                }
            }
        }
        guard config.sources.journal.enabled else { return }
        let trust = config.sources.journal.trust
        let resolved = JournalTrustResolution(trust)
        let uids = resolved.trust.uids.sorted().map(String.init).joined(separator: ", ")
        var line = "journal trust: entries admitted by unit \(trust.units.joined(separator: ", ")) "
        line += "\(trust.require == .unitAndUser ? "and" : "or") uid \(uids)"
        if !trust.commands.isEmpty { line += "; narrowed to commands \(trust.commands.joined(separator: ", "))" }
        if !trust.executables.isEmpty {
            line += "; narrowed to executables \(trust.executables.joined(separator: ", "))"
        }
        print(line)
        for warning in resolved.warnings(unitsNotFound: []) { StandardError.line("warning: \(warning)") }
    }
}
