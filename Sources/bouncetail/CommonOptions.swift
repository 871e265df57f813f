import ArgumentParser

/// Options every command that touches the state database or the configuration takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default /etc/bouncetail/bouncetail.toml when it exists).")
    var config: String?

    @Option(name: .long, help: "The state database (overrides [general] state_db).")
    var state: String?
}
