/// What `bouncetail run` says when it starts: which sources it reads and where bounces go, and why, so
/// an operator reading the journal of the service sees at once what the configuration amounts to.
public enum StartupSummary {
    /// One line for the sources, one for the sink.
    public static func lines(_ config: BounceTailConfig) -> [String] {
        var sources: [String] = []
        let journal = config.sources.journal
        if journal.enabled {
            let which =
                journal.directory.map { "directory \($0)" }
                ?? (journal.files.isEmpty ? "the local journal" : "\(journal.files.count) journal file(s)")
            sources.append("the journal (\(which))")
        }
        for f in config.sources.files {
            sources.append("file \(f.name) (\(f.paths.joined(separator: ", "))\(f.optional ? ", optional" : ""))")
        }
        for m in config.mail.maildirs {
            sources.append(
                "Maildir \(m.path) (every \(m.pollInterval), then \(m.after == .move ? "moved to cur/" : "deleted"))")
        }
        for m in config.mail.mailboxes {
            let after = m.after == .move ? "moved to \(m.moveTo ?? "?")" : "deleted"
            sources.append("mailbox \(m.url) as \(m.username) (every \(m.pollInterval), then \(after))")
        }
        let sink: String
        switch config.sink.kind {
        case .webhook:
            sink =
                "bounces go to listmonk at \(config.listmonk.url ?? "?")"
                + (config.sink.automatic ? " (sink \"auto\": [listmonk] url is set)" : "")
        case .sqlite:
            sink =
                "bounces are kept in the local store \(config.general.stateDB) (see `bouncetail export`)"
                + (config.sink.automatic ? " (sink \"auto\": no [listmonk] url)" : "")
        case .jsonl:
            sink = "bounces are written as JSON Lines to \(config.sink.jsonlPath)"
        }
        return ["reading " + (sources.isEmpty ? "nothing" : sources.joined(separator: " and ")), sink]
    }
}
