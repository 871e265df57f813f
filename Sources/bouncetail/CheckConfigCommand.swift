import ArgumentParser
import BounceClassifier
import BounceDaemon
import BounceSources

/// `bouncetail check-config`: validates the configuration file and the pattern set together, and checks
/// what it names on this machine (logs, token file, state directory) without changing anything.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and the pattern set, and check what they name on this machine.",
        discussion: """
            Besides the file's keys and values: whether the logs exist (missing is a warning, since `run` waits \
            for them), whether the token can be read, whether the state directory is writable by the service \
            user, and whether there is anything to read. Changes nothing. Exit status 1 on any error; warnings \
            and notes do not fail.
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let ctx: CLIContext
        do { ctx = try CLIContext(common) } catch {
            StandardError.line("\(error)")
            throw ExitCode(1)
        }
        let config = ctx.config
        var errors = 0
        let findings = ConfigCheck.findings(config)
        for f in findings {
            if f.severity == .error { errors += 1 }
            if f.severity == .note { print(f.description) } else { StandardError.line(f.description) }
        }
        print(config.spikeGuard.summary)
        print(config.tracker.capacitySummary)
        if config.sink.automatic {
            print(
                "sink: \(config.sink.kind.rawValue) (kind = \"auto\": "
                    + (config.listmonk.url == nil ? "no [listmonk] url" : "[listmonk] url is set") + ")")
        }
        print(config.hosts.summary(hostName: config.general.hostName))
        do {
            let set = try PipelineFactory.loadPatterns(config)
            let failures = checkPatterns(set)
            if !failures.isEmpty {
                for f in failures { StandardError.line("\(f)") }
                StandardError.line("pattern set: \(failures.count) failing check(s)")
                errors += 1
            } else {
                print("pattern set: \(set.rules.count) rules from \(set.sources.count) file(s): ok")
            }
        } catch {
            StandardError.line("pattern set: \(error)")
            errors += 1
        }
        Self.printProvenance(config)
        let path = common.config ?? BounceTailConfig.defaultPath
        let warnings = findings.filter { $0.severity == .warning }.count
        if errors > 0 {
            StandardError.line("configuration: \(path): \(errors) error(s), \(warnings) warning(s)")
            throw ExitCode(1)
        }
        print("configuration: \(path): ok" + (warnings > 0 ? " (\(warnings) warning(s) above)" : ""))
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
