import BounceDaemon
import BounceStore
import Foundation

/// The configuration a command runs with: the file (or the defaults), with its flags applied on top.
struct CLIContext {
    let config: BounceTailConfig
    /// `--config`, when given.
    private let configPath: String?
    /// Whether `--state` was given.
    private let stateFlag: Bool

    /// Where `config.general.stateDB` came from, for messages: `--state`, a line of the file, the default.
    /// Worked out when asked: it reads the configuration file again, which `ingest-mail` never needs.
    var stateOrigin: String {
        Self.origin(of: "general.state_db", flag: stateFlag ? "--state" : nil, file: configPath)
    }

    /// Loads `--config` (or the default file when it exists) and applies `--state` and `extra` overrides.
    init(_ common: CommonOptions, overrides extra: [ConfigOverride] = []) throws {
        try self.init(config: common.config, state: common.state, overrides: extra)
    }

    /// Loads `config` (or the default file when it exists) and applies `state` and `extra` overrides.
    init(config configPath: String?, state: String?, overrides extra: [ConfigOverride] = []) throws {
        var overrides: [ConfigOverride] = []
        if let state {
            // A path on the command line is relative to where the command runs; the file's must be absolute.
            let joined = state.hasPrefix("/") ? state : FileManager.default.currentDirectoryPath + "/" + state
            let absolute = (joined as NSString).standardizingPath
            overrides.append(ConfigOverride("general.state_db", .string(absolute), origin: "--state"))
        }
        overrides += extra
        config = try ConfigLoader.load(path: configPath, overrides: overrides)
        self.configPath = configPath
        stateFlag = state != nil
    }

    /// `--state`, `[general] state_db in FILE:LINE`, or `the default (... not set in FILE)`.
    static func origin(of keyPath: String, flag: String?, file: String?) -> String {
        if let flag { return flag }
        let path = file ?? BounceTailConfig.defaultPath
        let key = keyPath.split(separator: ".").last.map(String.init) ?? keyPath
        let section = keyPath.split(separator: ".").dropLast().joined(separator: ".")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "the default \(key); no configuration file at \(path)"
        }
        if let line = TOMLKeyLocator(source: text).line(of: keyPath) { return "[\(section)] \(key) in \(path):\(line)" }
        return "the default \(key); not set in \(path)"
    }

    /// Whether bounces go to the local store (the default) rather than listmonk or JSON Lines.
    var sinkIsLocalStore: Bool { config.sink.kind == .sqlite }

    /// Opens (creating when needed) the state database.
    /// - Parameter bulk: tuned for a backfill's large batches (``StateDatabase/open(_:bulk:)``).
    /// - Parameter oneShot: one commit, then exit (``StateDatabase/open(_:bulk:oneShot:)``).
    func openState(bulk: Bool = false, oneShot: Bool = false) throws -> StateDB {
        try StateDatabase.open(config.general.stateDB, bulk: bulk, oneShot: oneShot)
    }

    /// Opens the state database only when it exists (commands that only look): a missing one is an
    /// error naming the path and where it came from.
    func openExistingState() throws -> StateDB {
        try StateDatabase.openExisting(config.general.stateDB, origin: stateOrigin)
    }
}
