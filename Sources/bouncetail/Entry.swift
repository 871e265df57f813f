import ArgumentParser

/// The process entry: `BounceTail` with its subcommands, except for `ingest-mail`.
///
/// `ingest-mail` runs once per bounce mail from the MTA's pipe, so its start-up is paid per mail. Parsed
/// through the root command, ArgumentParser first builds every subcommand's argument tree (to look for a
/// completion-script request), a sixth of the invocation in a profile; parsed as its own root it
/// builds only its own. Help and version requests still go through the root, so they read the same.
@main
enum Entry {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == IngestMailCommand.configuration.commandName,
            !arguments.contains(where: {
                ["-h", "--help", "help", "--version"].contains($0) || $0.hasPrefix("--generate")
            })
        {
            // The usual command line of an MTA's pipe, read by hand (see `IngestMailCommand.quickOptions`).
            if let quick = IngestMailCommand.quickOptions(Array(arguments.dropFirst())) {
                do {
                    try IngestMailCommand.ingest(config: quick.config, state: quick.state, verbose: quick.verbose)
                } catch { IngestMailCommand.exit(withError: error) }
                return
            }
            // A mistake on the command line is reported by the root command, so it reads as everywhere else.
            guard let command = try? IngestMailCommand.parse(Array(arguments.dropFirst())) else {
                await BounceTail.main()
                return
            }
            do { try command.run() } catch { IngestMailCommand.exit(withError: error) }
            return
        }
        await BounceTail.main()
    }
}
