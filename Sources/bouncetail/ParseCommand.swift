import ArgumentParser

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", abstract: "Parse log lines and print one JSON object per line.")
    func run() async throws {}
}
