import ArgumentParser
import BounceStore
import Foundation

/// `bouncetail export`: the local store's bounces, as listmonk's `GET /api/bounces` JSON, CSV, or JSON Lines.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the bounces in the local store (JSON like listmonk's API, CSV, or JSON Lines).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv, jsonl }

    @OptionGroup var common: CommonOptions
    @Option(
        help:
            "json (listmonk's GET /api/bounces shape), csv (header row + one row a bounce), or jsonl (webhook bodies).")
    var format: Format = .json
    @Option(help: "Only bounces logged at or after this date (YYYY-MM-DD or RFC 3339).") var since: String?

    func run() async throws {
        let db = try CLIContext(common).openExistingState()
        let sinceDate = try since.map { try DateArgument.parse($0, option: "--since") }
        var out = StandardOutput()
        switch format {
        case .json: _ = try db.exportBounces(format: .json, since: sinceDate) { out.write($0) }
        case .csv: _ = try db.exportBounces(format: .csv, since: sinceDate) { out.write($0) }
        case .jsonl:
            for b in try db.storedBounces(since: sinceDate) { out.write(b.webhookJSON + "\n") }
        }
        out.flush()
    }
}
