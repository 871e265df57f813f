import Foundation

extension DeliverabilityReport {
    /// One self-contained page: inline CSS and SVG, no script, no font, no image, nothing fetched. Readable in a
    /// plain browser and printable (the charts keep their size, sections do not break across pages).
    public func html() -> String {
        let e = HTMLEscape.text
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>bouncetail report \(e(days.first ?? "")) .. \(e(days.last ?? ""))</title>
            <style>\(Self.css)</style></head><body>
            <header><h1>Deliverability report</h1>
            <p class="scope">\(e(scopeLine))</p></header>

            """
        h += "<section id=\"totals\"><h2>Outcomes</h2><div class=\"tiles\">"
        let t = totals
        for (id, label, value) in [
            ("delivered", "delivered", "\(t.delivered)"), ("hard", "hard bounces", "\(t.hard)"),
            ("soft", "soft bounces", "\(t.soft)"), ("held", "held (our fault)", "\(t.held)"),
            ("deferred", "deferred messages", "\(t.deferred)"),
            ("rate", "bounce rate", bounceRate.map { String(format: "%.2f %%", $0 * 100) } ?? "–"),
        ] {
            h += "<div class=\"tile\" data-total=\"\(id)\"><b>\(value)</b><span>\(label)</span></div>"
        }
        h += "</div><p class=\"note\">Bounce rate = (hard + soft) / (delivered + hard + soft). Held bounces are part "
        h += "of hard and soft. Deferred: messages deferred at least once.</p></section>\n"

        h += "<section id=\"rate\"><h2>Bounce rate per day</h2>"
        h +=
            "<p class=\"note\">The \(min(ReportAssembler.chartDomains, topByCount.count)) domains with the most bounces.</p>"
        h += SVGCharts.rateLines(self) + "</section>\n"

        h += "<section id=\"reasons\"><h2>Bounces by reason</h2>" + SVGCharts.reasonStacks(self) + "</section>\n"

        h += "<section id=\"holds\"><h2>Our fault: held bounces per provider</h2>"
        h += "<p class=\"note\">Refusals of our IP or content (blocklists, spam verdicts, rate limits), held instead "
        h += "of reported to listmonk. Review with <code>bouncetail outbox list --held</code>.</p>"
        h += SVGCharts.holdBars(self)
        if !senderFaultHolds.isEmpty {
            h +=
                "<table class=\"holds\"><thead><tr><th>Provider</th><th>Held</th><th>Latest</th><th>Latest remote text</th></tr></thead><tbody>"
            for x in senderFaultHolds.prefix(10) {
                h += "<tr data-domain=\"\(e(x.domain))\"><td>\(e(x.domain))</td><td class=\"n\">\(x.count)</td>"
                h += "<td>\(e(x.latestAt))</td><td class=\"text\">\(e(x.latestText))</td></tr>"
            }
            h += "</tbody></table>"
        }
        h += "</section>\n"

        h += "<section id=\"worst\"><h2>Worst domains</h2>"
        h += "<p class=\"note\">By bounce rate, domains with at least \(selection.minVolume) outcomes.</p>"
        let byName = Dictionary(domains.map { ($0.domain, $0) }, uniquingKeysWith: { a, _ in a })
        if topByRate.isEmpty {
            h += SVGCharts.empty("No domain reaches the minimum volume.")
        } else {
            h += "<table class=\"worst\"><thead><tr><th>Domain</th><th>Outcomes</th><th>Hard</th><th>Soft</th>"
            h += "<th>Held</th><th>Rate</th><th>Latest reason</th><th>Latest remote text</th></tr></thead><tbody>"
            for d in topByRate {
                guard let r = byName[d] else { continue }
                let o = r.outcomes
                h += "<tr data-domain=\"\(e(d))\" data-rate=\"\(r.bounceRate ?? 0)\"><td>\(e(d))</td>"
                h += "<td class=\"n\">\(o.volume)</td><td class=\"n\">\(o.hard)</td><td class=\"n\">\(o.soft)</td>"
                h +=
                    "<td class=\"n\">\(o.held)</td><td class=\"n\">\(String(format: "%.2f %%", (r.bounceRate ?? 0) * 100))</td>"
                h += "<td>\(e(r.latestReason ?? ""))</td><td class=\"text\">\(e(r.latestText ?? ""))</td></tr>"
            }
            h += "</tbody></table>"
        }
        h += "</section>\n"

        h += "<section id=\"guard\"><h2>Spike guard</h2>"
        if spikeGuard.isEmpty {
            h += SVGCharts.empty("The spike guard did not trip.")
        } else {
            h += "<table><thead><tr><th>When</th><th>What</th><th>Domain</th><th>Detail</th></tr></thead><tbody>"
            for f in spikeGuard {
                h +=
                    "<tr data-kind=\"\(e(f.kind))\"><td>\(e(f.at))</td><td>\(f.kind == "guard_tripped" ? "tripped" : "released")</td>"
                h += "<td>\(e(f.subject))</td><td class=\"text\">\(e(f.detail))</td></tr>"
            }
            h += "</tbody></table>"
        }
        h += "</section>\n"

        let d = delivery
        h += "<section id=\"delivery\"><h2>Delivery to listmonk</h2><div class=\"tiles\">"
        var tiles = [
            ("sent", "sent", d.sent), ("pending", "pending", d.pending), ("held", "held", d.held),
            ("dead", "dead", d.dead),
        ]
        if d.stored > 0 { tiles.append(("stored", "in the local store", d.stored)) }
        for (id, label, value) in tiles {
            h += "<div class=\"tile\" data-delivery=\"\(id)\"><b>\(value)</b><span>\(label)</span></div>"
        }
        h += "</div>"
        if let since = d.pausedSince {
            h += "<p class=\"alert\">Delivery is paused since \(e(since)): \(e(d.pauseReason ?? ""))</p>"
        } else {
            h += "<p class=\"note\">Delivery is not paused.</p>"
        }
        if !d.pauses.isEmpty {
            h += "<table><thead><tr><th>When</th><th>What</th><th>Detail</th></tr></thead><tbody>"
            for f in d.pauses {
                h += "<tr><td>\(e(f.at))</td><td>\(e(f.kind))</td><td class=\"text\">\(e(f.detail))</td></tr>"
            }
            h += "</tbody></table>"
        }
        h += "</section>\n<footer>Generated by bouncetail at \(e(generatedAt)).</footer></body></html>\n"
        return h
    }

    var scopeLine: String {
        var s = "\(selection.since ?? days.first ?? "start") to \(selection.until ?? days.last ?? "now") (UTC)"
        s += selection.domain.map { ", domain \($0)" } ?? ", all domains"
        s += selection.campaign.map { ", campaign \($0)" } ?? ", all campaigns"
        return s
    }

    static let css = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:800px;margin:2em auto;padding:0 1em}
        h1{font-size:1.6em;margin:0}h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
        .scope,.note,footer{color:#666;font-size:.9em}.tiles{display:flex;flex-wrap:wrap;gap:.6em}
        .tile{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;min-width:7em}.tile b{display:block;font-size:1.4em}
        .tile span{color:#666;font-size:.85em}svg.chart{max-width:100%;height:auto;font-size:11px;fill:#444}
        svg .grid{stroke:#e5e5e5}.legend span{margin-right:1em;font-size:.85em;white-space:nowrap}
        .legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border-radius:2px}
        table{border-collapse:collapse;width:100%;font-size:.88em;margin-top:.6em}th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.text{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-word}
        .alert{background:#fde8e8;border:1px solid #d62728;padding:.5em;border-radius:4px}.empty{color:#888;font-style:italic}
        @media print{body{margin:0;max-width:none}section{break-inside:avoid}}
        """
}
