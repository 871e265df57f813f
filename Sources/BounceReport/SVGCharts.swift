import Foundation

/// The report's charts as inline SVG. Every mark carries the value it draws (`data-*`), and every chart its
/// scale (`data-ymax` or `data-xmax`, and the plot box), so a test can read back from the geometry what the
/// chart shows and compare it with the JSON report.
enum SVGCharts {
    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ]

    struct Box {
        let width: Double, height: Double, left: Double, top: Double, right: Double, bottom: Double
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
        var attributes: String {
            "data-left=\"\(f(left))\" data-top=\"\(f(top))\" data-plot-width=\"\(f(plotWidth))\" "
                + "data-plot-height=\"\(f(plotHeight))\""
        }
    }

    static func f(_ v: Double) -> String { String(format: "%.3f", v) }
    static func e(_ s: String) -> String { HTMLEscape.text(s) }

    /// A value above every data point that makes round ticks: 1, 2 or 5 times a power of ten.
    static func niceMax(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let p = pow(10, floor(log10(v)))
        for m in [1.0, 2.0, 5.0, 10.0] where m * p >= v { return m * p }
        return 10 * p
    }

    /// Below this many outcomes on a day, a domain's point is drawn hollow.
    static let lowVolume = 10

    /// Bounce rate per day, one line per domain.
    static func rateLines(_ report: DeliverabilityReport) -> String {
        let domains = report.topByCount.prefix(ReportAssembler.chartDomains)
        let days = report.days
        guard !domains.isEmpty, !days.isEmpty else { return empty("No bounces in this selection.") }
        let box = Box(width: 760, height: 280, left: 56, top: 16, right: 16, bottom: 40)
        let points = report.dailyByDomain.filter { $0.bounceRate != nil }
        let ymax = niceMax(points.compactMap(\.bounceRate).max() ?? 0)
        func x(_ i: Int) -> Double {
            days.count == 1
                ? box.left + box.plotWidth / 2 : box.left + box.plotWidth * Double(i) / Double(days.count - 1)
        }
        func y(_ r: Double) -> Double { box.top + box.plotHeight * (1 - r / ymax) }
        var s = svgOpen(
            "rate", box, "Bounce rate per day for the domains with the most bounces", extra: "data-ymax=\"\(ymax)\"")
        s += yAxis(box, max: ymax, label: { String(format: "%.0f %%", $0 * 100) }, percentDigits: ymax < 0.05)
        s += xLabels(days, x: x, box: box)
        let dayIndex = Dictionary(days.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for (k, d) in domains.enumerated() {
            let color = palette[k % palette.count]
            let series = report.dailyByDomain.filter { $0.domain == d && $0.bounceRate != nil }
            let path = series.compactMap { p in dayIndex[p.day].map { "\(f(x($0))),\(f(y(p.bounceRate!)))" } }
            if path.count > 1 {
                s +=
                    "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path.joined(separator: " "))\"/>"
            }
            for p in series {
                guard let i = dayIndex[p.day], let r = p.bounceRate else { continue }
                s +=
                    "<circle class=\"mark\" data-domain=\"\(e(d))\" data-day=\"\(p.day)\" data-value=\"\(r)\" "
                    + "data-bounces=\"\(p.outcomes.bounces)\" data-volume=\"\(p.outcomes.volume)\" "
                    + "cx=\"\(f(x(i)))\" cy=\"\(f(y(r)))\" r=\"3.5\" "
                    // A day with few outcomes is drawn hollow: its rate says little.
                    + (p.outcomes.volume < lowVolume
                        ? "fill=\"#fff\" stroke=\"\(color)\" stroke-width=\"1.5\">" : "fill=\"\(color)\">")
                    + "<title>\(e(d)) \(p.day): \(String(format: "%.2f", r * 100)) % (\(p.outcomes.bounces) of \(p.outcomes.volume))</title></circle>"
            }
        }
        s += "</svg>"
        return s + legend(domains.enumerated().map { (palette[$0.offset % palette.count], $0.element) })
            + "<p class=\"note\">Hollow points: fewer than \(lowVolume) outcomes that day.</p>"
    }

    /// Bounces per day, stacked by reason.
    static func reasonStacks(_ report: DeliverabilityReport) -> String {
        let days = report.days
        guard !report.reasonsByDay.isEmpty, !days.isEmpty else { return empty("No bounces in this selection.") }
        // The 7 most frequent reasons keep their names; the rest are drawn as "other".
        let named = Array(
            report.reasons.reduce(into: [String: Int]()) { $0[$1.reason, default: 0] += $1.count }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(7).map(\.key))
        var cells: [String: [String: Int]] = [:]
        for r in report.reasonsByDay {
            let name = named.contains(r.reason) ? r.reason : "other"
            cells[r.day, default: [:]][name, default: 0] += r.count
        }
        let order = named + (cells.values.contains { $0["other"] != nil } ? ["other"] : [])
        let ymax = niceMax(Double(cells.values.map { $0.values.reduce(0, +) }.max() ?? 0))
        let box = Box(width: 760, height: 280, left: 56, top: 16, right: 16, bottom: 40)
        let slot = box.plotWidth / Double(days.count)
        let barWidth = max(1, slot * 0.8)
        var s = svgOpen("reasons", box, "Bounces per day by reason", extra: "data-ymax=\"\(ymax)\"")
        s += yAxis(box, max: ymax, label: { String(Int($0)) }, percentDigits: false)
        s += xLabels(days, x: { box.left + slot * (Double($0) + 0.5) }, box: box)
        for (i, day) in days.enumerated() {
            var base = box.top + box.plotHeight
            for (k, reason) in order.enumerated() {
                guard let n = cells[day]?[reason], n > 0 else { continue }
                let h = box.plotHeight * Double(n) / ymax
                base -= h
                s +=
                    "<rect class=\"mark\" data-day=\"\(day)\" data-reason=\"\(e(reason))\" data-value=\"\(n)\" "
                    + "x=\"\(f(box.left + slot * Double(i) + (slot - barWidth) / 2))\" y=\"\(f(base))\" "
                    + "width=\"\(f(barWidth))\" height=\"\(f(h))\" fill=\"\(palette[k % palette.count])\">"
                    + "<title>\(day) \(e(reason)): \(n)</title></rect>"
            }
        }
        s += "</svg>"
        return s + legend(order.enumerated().map { (palette[$0.offset % palette.count], $0.element) })
    }

    /// Sender-fault holds per provider, horizontal bars.
    static func holdBars(_ report: DeliverabilityReport) -> String {
        let holds = Array(report.senderFaultHolds.prefix(10))
        guard !holds.isEmpty else { return empty("No sender-fault holds: no provider refused our IP or content.") }
        let row = 26.0
        let box = Box(width: 760, height: 24 + row * Double(holds.count), left: 200, top: 8, right: 60, bottom: 16)
        let xmax = niceMax(Double(holds.map(\.count).max() ?? 0))
        var s = svgOpen("holds", box, "Sender-fault holds per provider", extra: "data-xmax=\"\(xmax)\"")
        for (i, h) in holds.enumerated() {
            let y = box.top + row * Double(i)
            let w = box.plotWidth * Double(h.count) / xmax
            s += "<text x=\"\(f(box.left - 8))\" y=\"\(f(y + 17))\" text-anchor=\"end\">\(e(h.domain))</text>"
            s +=
                "<rect class=\"mark\" data-domain=\"\(e(h.domain))\" data-value=\"\(h.count)\" x=\"\(f(box.left))\" "
                + "y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"18\" fill=\"#d62728\">"
                + "<title>\(e(h.domain)): \(h.count)</title></rect>"
            s += "<text x=\"\(f(box.left + w + 6))\" y=\"\(f(y + 17))\">\(h.count)</text>"
        }
        return s + "</svg>"
    }

    static func svgOpen(_ name: String, _ box: Box, _ title: String, extra: String) -> String {
        "<svg class=\"chart\" data-chart=\"\(name)\" \(box.attributes) \(extra) "
            + "viewBox=\"0 0 \(f(box.width)) \(f(box.height))\" width=\"\(f(box.width))\" height=\"\(f(box.height))\" "
            + "role=\"img\" aria-label=\"\(e(title))\"><title>\(e(title))</title>"
    }

    static func yAxis(_ box: Box, max: Double, label: (Double) -> String, percentDigits: Bool) -> String {
        var s = ""
        // Five steps: a 1, 2 or 5 times a power of ten maximum gives round ticks.
        for k in 0...5 {
            let v = max * Double(k) / 5
            let y = box.top + box.plotHeight * (1 - Double(k) / 5)
            s +=
                "<line class=\"grid\" x1=\"\(f(box.left))\" x2=\"\(f(box.left + box.plotWidth))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            let text = percentDigits ? String(format: "%.1f %%", v * 100) : label(v)
            s += "<text x=\"\(f(box.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(text)</text>"
        }
        return s
    }

    static func xLabels(_ days: [String], x: (Int) -> Double, box: Box) -> String {
        let every = max(1, days.count / 8)
        var s = ""
        for (i, d) in days.enumerated() where i % every == 0 || i == days.count - 1 {
            s +=
                "<text x=\"\(f(x(i)))\" y=\"\(f(box.top + box.plotHeight + 18))\" text-anchor=\"middle\">\(d.dropFirst(5))</text>"
        }
        return s
    }

    static func legend(_ items: [(String, String)]) -> String {
        "<p class=\"legend\">"
            + items.map { "<span><i style=\"background:\($0.0)\"></i>\(e($0.1))</span>" }.joined(separator: " ")
            + "</p>"
    }

    static func empty(_ text: String) -> String { "<p class=\"empty\">\(e(text))</p>" }
}
