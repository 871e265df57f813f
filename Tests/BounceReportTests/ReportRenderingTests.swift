import BounceCore
import BounceStore
import Foundation
import Testing

@testable import BounceReport

/// The report from hand-made inputs: every figure is worked out here from the rows, not by the code under test.
@Suite struct ReportRenderingTests {
    static let nov3 = 20_760  // 2026-11-03
    static let hostile = "550 <script>alert(1)</script> \"quoted\" & 'single' <img src=http://evil.example/x>"

    static func count(_ day: Int, _ domain: String, _ outcome: OutcomeClass, _ n: Int, host: String = "mx1")
        -> OutcomeCount
    {
        OutcomeCount(day: day, host: host, domain: domain, campaign: "", outcome: outcome, count: n)
    }

    static func inputs() -> ReportAssembler.Inputs {
        let d0 = nov3
        let counts = [
            // outlook: 1000 outcomes, 120 bounces (12 %), 80 of them our fault.
            count(d0, "outlook.example", .delivered, 480), count(d0, "outlook.example", .hard, 10),
            count(d0 + 1, "outlook.example", .delivered, 400), count(d0 + 1, "outlook.example", .soft, 110),
            count(d0 + 1, "outlook.example", .held, 80), count(d0 + 1, "outlook.example", .deferred, 7),
            // gmail: 2000 outcomes, 100 bounces (5 %).
            count(d0, "gmail.example", .delivered, 1900, host: "mx2"),
            count(d0, "gmail.example", .hard, 100, host: "mx2"),
            // tiny: 2 outcomes, 1 bounce (50 %) but below the minimum volume.
            count(d0 + 1, "tiny.example", .delivered, 1), count(d0 + 1, "tiny.example", .hard, 1),
        ]
        let reasons = [
            ReasonDayCount(day: d0, reason: "userunknown", type: "hard", count: 110),
            ReasonDayCount(day: d0 + 1, reason: "blocked", type: "soft", count: 80),
            ReasonDayCount(day: d0 + 1, reason: "mailboxfull", type: "soft", count: 30),
            ReasonDayCount(day: d0 + 1, reason: "userunknown", type: "hard", count: 1),
        ]
        let t = Date(timeIntervalSince1970: 1_793_750_400)  // 2026-11-04T00:00:00Z
        return ReportAssembler.Inputs(
            counts: counts, reasons: reasons,
            texts: [RemoteText(domain: "outlook.example", reason: "blocked", text: hostile, at: t)],
            holds: [
                SenderFaultHolds(
                    domain: "outlook.example", count: 80, reasons: ["blocked": 80], latestText: hostile, latestAt: t)
            ],
            facts: [
                RuntimeFact(kind: .guardTripped, at: t, subject: "gmail.example", detail: "tripped"),
                RuntimeFact(kind: .deliveryPaused, at: t, subject: "listmonk answered 403", status: 403),
            ],
            status: OutboxStatus(pending: 3, held: 80, sent: 200, dead: 2, stored: 0, oldestPendingAge: 12),
            dead: [])
    }

    static func report(minVolume: Int = 50) -> DeliverabilityReport {
        ReportAssembler.assemble(
            inputs(), selection: ReportSelection(), minVolume: minVolume,
            generatedAt: Date(timeIntervalSince1970: 1_793_800_000))
    }

    @Test func totalsRatesAndRanking() throws {
        let r = Self.report()
        #expect(r.totals.delivered == 480 + 400 + 1900 + 1)
        #expect(r.totals.hard == 10 + 100 + 1)
        #expect(r.totals.soft == 110)
        #expect(r.totals.held == 80)
        #expect(r.totals.deferred == 7)
        let rate = try #require(r.bounceRate)
        #expect(abs(rate - 221.0 / (2781.0 + 221.0)) < 1e-12)
        #expect(r.days == ["2026-11-03", "2026-11-04"])
        // tiny.example has the highest rate but not the volume: it ranks by count only.
        #expect(r.topByRate == ["outlook.example", "gmail.example"])
        #expect(r.topByCount == ["outlook.example", "gmail.example", "tiny.example"])
        #expect(Self.report(minVolume: 1).topByRate.first == "tiny.example")
        #expect(r.hosts["mx2"]?.hard == 100)
        #expect(r.reasons.first == .init(reason: "userunknown", type: "hard", count: 111))
        #expect(r.delivery.pausedSince == "2026-11-04T00:00:00Z")
        #expect(r.delivery.pauseReason == "listmonk answered 403")
        #expect(r.spikeGuard.map(\.subject) == ["gmail.example"])
        let outlookDay2 = try #require(
            r.dailyByDomain.first { $0.domain == "outlook.example" && $0.day == "2026-11-04" })
        #expect(outlookDay2.bounceRate == 110.0 / 510.0)
    }

    @Test func theTerminalSummaryFitsAScreenAndShowsTheFigures() {
        let text = Self.report().terminalSummary()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 45)
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(text.contains("delivered 2781"))
        #expect(text.contains("Bounce rate  7.4 %"))  // 221 / 3002
        #expect(text.contains("outlook.example") && text.contains("12.0 %"))
        #expect(text.contains("PAUSED since 2026-11-04T00:00:00Z: listmonk answered 403"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func theTerminalGetsNoControlCharactersFromALogLine() {
        var inputs = Self.inputs()
        inputs.holds[0].latestText = "550 \u{1B}[2J\u{1B}]0;pwned\u{07} blocked"
        let r = ReportAssembler.assemble(inputs, selection: .init(), minVolume: 50, generatedAt: Date())
        let text = r.terminalSummary()
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func jsonCarriesEveryFigureInSnakeCase() throws {
        let json = try Self.report().json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["delivered"] as? Int == 2781)
        #expect(object["top_by_rate"] as? [String] == ["outlook.example", "gmail.example"])
        #expect((object["sender_fault_holds"] as? [[String: Any]])?.first?["latest_text"] as? String == Self.hostile)
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let rows = ReportAssembler.dailyRows([
            Self.count(Self.nov3, "=cmd|' /C calc'!A0", .hard, 1), Self.count(Self.nov3, "a,b.example", .delivered, 3),
        ])
        let csv = Self.report().csv(perDay: rows)
        let lines = csv.split(separator: "\n")
        #expect(lines[0] == "day,domain,delivered,hard,soft,complaint,deferred,held,bounce_rate")
        #expect(lines[1] == "2026-11-03,'=cmd|' /C calc'!A0,0,1,0,0,0,0,1.000000")
        #expect(lines[2] == "2026-11-03,\"a,b.example\",3,0,0,0,0,0,0.000000")
    }

    @Test func theHTMLPageIsSelfContainedAndEscapesLogText() {
        let html = Self.report().html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        let escaped =
            "550 &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39; "
            + "&lt;img src=http://evil.example/x&gt;"
        #expect(html.contains(escaped))
        // Apart from that escaped text, no address and no attribute that could fetch anything.
        let rest = html.replacingOccurrences(of: escaped, with: "")
        #expect(!rest.contains("http://") && !rest.contains("https://") && !rest.contains("//"))
        #expect(!rest.lowercased().contains("src=") && !rest.lowercased().contains("href=") && !rest.contains("url("))
        #expect(html.contains("default-src 'none'"))
        #expect(html.contains("data-chart=\"rate\"") && html.contains("data-chart=\"reasons\""))
        #expect(html.contains("data-chart=\"holds\""))
        #expect(html.contains("@media print"))
    }

    /// What the charts draw, read back from their geometry, is what the report says.
    @Test func theChartsDrawTheReportsValues() throws {
        let r = Self.report()
        let html = r.html()
        let holds = try #require(Self.marks(html, chart: "holds").first)
        let box = try #require(Self.svgAttributes(html, chart: "holds"))
        let xmax = try #require(Double(box["data-xmax"] ?? ""))
        let width = try #require(Double(holds["width"] ?? ""))
        let plot = try #require(Double(box["data-plot-width"] ?? ""))
        #expect(abs(width / plot * xmax - 80) < 0.01)
        #expect(holds["data-domain"] == "outlook.example")

        let rate = try #require(Self.svgAttributes(html, chart: "rate"))
        let ymax = try #require(Double(rate["data-ymax"] ?? ""))
        let top = try #require(Double(rate["data-top"] ?? ""))
        let height = try #require(Double(rate["data-plot-height"] ?? ""))
        let points = Self.marks(html, chart: "rate")
        #expect(points.count == r.dailyByDomain.filter { $0.bounceRate != nil }.count)
        for p in points {
            let cy = try #require(Double(p["cy"] ?? ""))
            let drawn = ymax * (top + height - cy) / height
            let expected = try #require(
                r.dailyByDomain.first { $0.domain == p["data-domain"] && $0.day == p["data-day"] }?.bounceRate)
            #expect(abs(drawn - expected) < 1e-3 * ymax, "\(p)")
        }

        let stacks = Self.marks(html, chart: "reasons")
        let sum = stacks.reduce(0) { $0 + (Int($1["data-value"] ?? "") ?? 0) }
        #expect(sum == r.reasonsByDay.reduce(0) { $0 + $1.count })
    }

    /// The attributes of each element with class "mark" inside the chart's <svg>.
    static func marks(_ html: String, chart: String) -> [[String: String]] {
        guard let start = html.range(of: "data-chart=\"\(chart)\""),
            let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex)
        else { return [] }
        let svg = html[start.upperBound..<end.lowerBound]
        return svg.components(separatedBy: "class=\"mark\"").dropFirst().map {
            attributes(String($0.prefix { $0 != ">" }))
        }
    }

    static func svgAttributes(_ html: String, chart: String) -> [String: String]? {
        guard let start = html.range(of: "data-chart=\"\(chart)\"") else { return nil }
        return attributes(String(html[start.lowerBound...].prefix { $0 != ">" }))
    }

    static func attributes(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in text.components(separatedBy: "\" ") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
        }
        return out
    }
}
