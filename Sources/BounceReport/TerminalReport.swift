import Foundation

extension DeliverabilityReport {
    /// The summary that fits a screen (about 40 lines of at most 100 columns): totals and rates, top domains by
    /// rate and by count, reasons, sender-fault holds, spike guard, delivery.
    public func terminalSummary(width: Int = 100) -> String {
        var lines: [String] = []
        let range = "\(selection.since ?? days.first ?? "start") .. \(selection.until ?? days.last ?? "now")"
        var scope = selection.domain.map { "domain \($0)" } ?? "all domains"
        scope += selection.campaign.map { ", campaign \($0)" } ?? ", all campaigns"
        lines.append("bouncetail report  \(range) (UTC)  \(scope)")
        let t = totals
        lines.append(
            "Outcomes     delivered \(n(t.delivered))  hard \(n(t.hard))  soft \(n(t.soft))  "
                + "(held \(n(t.held)) of these)  deferred \(n(t.deferred)) message(s)")
        if let rate = bounceRate {
            let hard = Double(t.hard) / Double(max(1, t.volume))
            let soft = Double(t.soft) / Double(max(1, t.volume))
            lines.append(
                "Bounce rate  \(pct(rate))  (hard \(pct(hard)), soft \(pct(soft)))  over \(n(t.volume)) outcomes")
        } else {
            lines.append("Bounce rate  -  (no outcomes counted in this selection)")
        }
        if hosts.count > 1 {
            lines.append(
                "Hosts        "
                    + hosts.keys.sorted().map { "\($0) \(pct(hosts[$0]?.bounceRate))" }.joined(separator: "  "))
        }

        let byName = Dictionary(domains.map { ($0.domain, $0) }, uniquingKeysWith: { a, _ in a })
        lines.append("")
        lines.append(
            pad("Top domains by bounce rate (>= \(selection.minVolume) outcomes)", 50) + "Top domains by bounces")
        let left = topByRate.prefix(8).map { d -> String in
            let o = byName[d]?.outcomes ?? .init()
            return "  " + pad(cut(d, 24), 25) + pad(pct(byName[d]?.bounceRate), 8) + "\(o.bounces)/\(o.volume)"
        }
        let right = topByCount.prefix(8).map { d -> String in
            "  " + pad(cut(d, 28), 29) + pad(n(byName[d]?.outcomes.bounces ?? 0), 8) + pct(byName[d]?.bounceRate)
        }
        for i in 0..<max(left.count, right.count, 1) {
            let l = i < left.count ? left[i] : (i == 0 ? "  (none)" : "")
            let r = i < right.count ? right[i] : (i == 0 ? "  (none)" : "")
            lines.append(pad(l, 50) + r)
        }

        lines.append("")
        lines.append("Reasons")
        if reasons.isEmpty { lines.append("  (no bounces)") }
        let reasonLines = reasons.prefix(8).map { "  " + pad("\($0.reason) (\($0.type))", 30) + n($0.count) }
        for pair in stride(from: 0, to: reasonLines.count, by: 2) {
            lines.append(pad(reasonLines[pair], 50) + (pair + 1 < reasonLines.count ? reasonLines[pair + 1] : ""))
        }

        lines.append("")
        lines.append("Sender-fault holds by provider (our IP or content refused; release with `outbox release`)")
        if senderFaultHolds.isEmpty { lines.append("  (none)") }
        for h in senderFaultHolds.prefix(5) {
            let head = "  " + pad(cut(h.domain, 24), 25) + pad(n(h.count), 7)
            lines.append(head + cut(clean(Self.reply(h.latestText)), max(10, width - head.count)))
        }

        lines.append("")
        let trips = spikeGuard.filter { $0.kind == "guard_tripped" }.count
        lines.append("Spike guard  \(trips) trip(s)")
        for f in spikeGuard.suffix(4) {
            lines.append("  \(f.at)  \(f.kind == "guard_tripped" ? "tripped " : "released") \(cut(f.subject, 60))")
        }

        lines.append("")
        let d = delivery
        var line = "Delivery     sent \(n(d.sent))  pending \(n(d.pending))  held \(n(d.held))  dead \(n(d.dead))"
        if d.stored > 0 { line += "  stored locally \(n(d.stored))" }
        lines.append(line)
        if let since = d.pausedSince {
            lines.append("  PAUSED since \(since): \(cut(clean(d.pauseReason ?? ""), width - 30))")
        } else {
            lines.append(
                "  not paused\(d.pauses.isEmpty ? "" : "; \(d.pauses.filter { $0.kind == "delivery_paused" }.count) pause(s) in this selection")"
            )
        }
        if let dead = d.recentDead.first {
            lines.append(
                "  latest dead letter: \(cut(dead.email, 40)) \(dead.status.map(String.init) ?? "-") \(cut(clean(dead.answer), 40))"
            )
        }
        return lines.map { cut($0, width) }.joined(separator: "\n") + "\n"
    }

    /// The remote server's own words: Postfix's `host X[ip] said: ` and `(in reply to ... command)` cut off, so
    /// the line's width goes to the reply.
    static func reply(_ text: String) -> String {
        var t = Substring(text)
        if t.hasPrefix("host "), let said = t.range(of: " said: ") { t = t[said.upperBound...] }
        if let r = t.range(of: " (in reply to ", options: .backwards), t.hasSuffix(")") { t = t[..<r.lowerBound] }
        return String(t)
    }

    private func n(_ v: Int) -> String {
        let s = String(v)
        guard v >= 10_000 else { return s }
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    private func pct(_ r: Double?) -> String { r.map { String(format: "%.1f %%", $0 * 100) } ?? "-" }

    private func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }

    private func cut(_ s: String, _ w: Int) -> String { s.count <= w ? s : String(s.prefix(max(1, w - 1))) + "…" }

    /// Remote texts come from log lines any local user can write: no control characters reach the terminal.
    private func clean(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
