import BounceDaemon
import BounceStore
import Foundation

/// The configuration a command runs with: the file (or the defaults), with its flags applied on top.
struct CLIContext {
    let config: BounceTailConfig

    /// Loads `--config` (or the default file when it exists) and applies `--state` and `extra` overrides.
    init(_ common: CommonOptions, overrides extra: [ConfigOverride] = []) throws {
        var overrides: [ConfigOverride] = []
        if let state = common.state {
            // A path on the command line is relative to where the command runs; the file's must be absolute.
            let absolute = state.hasPrefix("/") ? state : FileManager.default.currentDirectoryPath + "/" + state
            overrides.append(ConfigOverride("general.state_db", .string(absolute), origin: "--state"))
        }
        overrides += extra
        config = try ConfigLoader.load(path: common.config, overrides: overrides)
    }

    /// Whether bounces go to the local store (the default) rather than listmonk or JSON Lines.
    var sinkIsLocalStore: Bool { config.sink.kind == .sqlite }

    /// Opens (creating when needed) the state database.
    func openState() throws -> StateDB {
        try StateDatabase.open(config.general.stateDB)
    }
}
