import ArgumentParser
import BounceReport
import BounceStore
import Foundation

/// `bouncetail report`: what the state database knows about deliverability, as a terminal summary, JSON, CSV
/// (per day and domain), or a self-contained HTML page with SVG charts.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Summarize deliverability: bounce rates per domain and day, reasons, our-fault holds, spike guard, delivery.",
        discussion: ReportDefinitions.text)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    @OptionGroup var common: CommonOptions
    @Option(help: "Only outcomes logged at or after this date (YYYY-MM-DD or RFC 3339).") var since: String?
    @Option(help: "Only outcomes logged before this date (YYYY-MM-DD or RFC 3339).") var until: String?
    @Option(help: "Only this recipient domain.") var domain: String?
    @Option(help: "Only this listmonk campaign (its UUID).") var campaign: String?
    @Option(help: "A domain ranks by bounce rate only with at least this many outcomes (delivered + hard + soft).")
    var minVolume: Int = ReportDefinitions.defaultMinVolume
    @Option(help: "text (a summary that fits a screen), json (everything), or csv (one row per day and domain).")
    var format: Format = .text
    @Option(
        name: .customLong("html"),
        help: ArgumentHelp("Also write a self-contained HTML page with charts to this file.", valueName: "file"))
    var htmlPath: String?

    func validate() throws {
        guard minVolume >= 1 else { throw ValidationError("--min-volume must be 1 or more") }
    }

    func run() async throws {
        let db = try CLIContext(common).openState()
        let selection = ReportSelection(
            since: try since.map { try DateArgument.parse($0, option: "--since") },
            until: try until.map { try DateArgument.parse($0, option: "--until") }, domain: domain, campaign: campaign)
        let report = try db.deliverabilityReport(selection, minVolume: minVolume)
        if let htmlPath {
            do {
                try Data(report.html().utf8).write(to: URL(fileURLWithPath: htmlPath), options: .atomic)
            } catch {
                throw ValidationError("cannot write the HTML report to \(htmlPath): \(error.localizedDescription)")
            }
        }
        var out = StandardOutput()
        switch format {
        case .text:
            out.write(report.terminalSummary())
            if let htmlPath { out.write("HTML report written to \(htmlPath)\n") }
        case .json: out.write(try report.json())
        case .csv: out.write(report.csv(perDay: try db.dailyOutcomeRows(selection)))
        }
        out.flush()
    }
}
