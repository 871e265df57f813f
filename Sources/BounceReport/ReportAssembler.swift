import BounceCore
import BounceStore
import Foundation

/// Turns what the state database holds into a ``DeliverabilityReport``: pure, so every figure is tested on
/// rows made by hand as well as on a database filled from logs.
public enum ReportAssembler {
    /// What the report is made of, as read from the state database.
    public struct Inputs: Sendable {
        public var counts: [OutcomeCount]
        public var reasons: [ReasonDayCount]
        public var texts: [RemoteText]
        public var holds: [SenderFaultHolds]
        public var facts: [RuntimeFact]
        public var status: OutboxStatus
        public var dead: [DeadLetterSummary]

        public init(
            counts: [OutcomeCount], reasons: [ReasonDayCount], texts: [RemoteText], holds: [SenderFaultHolds],
            facts: [RuntimeFact], status: OutboxStatus, dead: [DeadLetterSummary]
        ) {
            self.counts = counts
            self.reasons = reasons
            self.texts = texts
            self.holds = holds
            self.facts = facts
            self.status = status
            self.dead = dead
        }
    }

    /// How many domains the "top" lists and the rate chart show.
    public static let topCount = 10
    public static let chartDomains = 5

    public static func assemble(
        _ inputs: Inputs, selection: ReportSelection, minVolume: Int, generatedAt: Date
    ) -> DeliverabilityReport {
        var totals = DeliverabilityReport.Outcomes()
        var hosts: [String: DeliverabilityReport.Outcomes] = [:]
        var byDomain: [String: DeliverabilityReport.Outcomes] = [:]
        var byDomainDay: [String: [Int: DeliverabilityReport.Outcomes]] = [:]
        var days = Set<Int>()
        for c in inputs.counts {
            totals.add(c.outcome, c.count)
            hosts[c.host, default: .init()].add(c.outcome, c.count)
            byDomain[c.domain, default: .init()].add(c.outcome, c.count)
            byDomainDay[c.domain, default: [:]][c.day, default: .init()].add(c.outcome, c.count)
            days.insert(c.day)
        }
        for r in inputs.reasons { days.insert(r.day) }

        let texts = Dictionary(inputs.texts.map { ($0.domain, $0) }, uniquingKeysWith: { a, b in a.at >= b.at ? a : b })
        let domains = byDomain.map { d, o in
            DeliverabilityReport.DomainRow(
                domain: d, outcomes: o, bounceRate: o.bounceRate, ranked: o.volume >= minVolume,
                latestText: texts[d]?.text, latestReason: texts[d]?.reason)
        }.sorted { a, b in
            a.outcomes.bounces != b.outcomes.bounces ? a.outcomes.bounces > b.outcomes.bounces : a.domain < b.domain
        }
        let topByCount = domains.filter { $0.outcomes.bounces > 0 }.prefix(topCount).map(\.domain)
        let topByRate = domains.filter { $0.ranked && $0.outcomes.bounces > 0 }.sorted { a, b in
            let ra = a.bounceRate ?? 0
            let rb = b.bounceRate ?? 0
            return ra != rb ? ra > rb : a.domain < b.domain
        }.prefix(topCount).map(\.domain)

        let sortedDays = days.sorted()
        var daily: [DeliverabilityReport.DomainDay] = []
        for d in topByCount.prefix(chartDomains) {
            for day in sortedDays {
                let o = byDomainDay[d]?[day] ?? .init()
                daily.append(.init(domain: d, day: CivilDay.format(day), outcomes: o, bounceRate: o.bounceRate))
            }
        }

        var reasonTotals: [String: DeliverabilityReport.ReasonTotal] = [:]
        for r in inputs.reasons {
            let key = r.reason + "\u{0}" + r.type
            var total = reasonTotals[key] ?? DeliverabilityReport.ReasonTotal(reason: r.reason, type: r.type, count: 0)
            total.count += r.count
            reasonTotals[key] = total
        }
        let reasonList: [DeliverabilityReport.ReasonTotal] = reasonTotals.values.sorted { a, b in
            a.count != b.count ? a.count > b.count : a.reason < b.reason
        }
        let holds: [DeliverabilityReport.Holds] = inputs.holds.map { h in
            DeliverabilityReport.Holds(
                domain: h.domain, count: h.count, reasons: h.reasons, latestText: h.latestText,
                latestAt: format(h.latestAt))
        }
        let recentDead: [DeliverabilityReport.DeadLetter] = inputs.dead.map { d in
            DeliverabilityReport.DeadLetter(
                email: d.email, reason: d.reason, status: d.status, answer: d.answer, at: d.deadAt.map(format))
        }
        let delivery = DeliverabilityReport.Delivery(
            pending: inputs.status.pending, held: inputs.status.held, sent: inputs.status.sent,
            dead: inputs.status.dead, stored: inputs.status.stored,
            oldestPendingAgeSeconds: inputs.status.oldestPendingAge, pausedSince: nil, pauseReason: nil, pauses: [],
            recentDead: recentDead)
        struct ReasonKey: Hashable {
            var day: Int
            var reason: String
        }
        var reasonDays: [ReasonKey: Int] = [:]
        for r in inputs.reasons { reasonDays[ReasonKey(day: r.day, reason: r.reason), default: 0] += r.count }
        let reasonKeys: [ReasonKey] = reasonDays.keys.sorted { a, b in
            a.day != b.day ? a.day < b.day : a.reason < b.reason
        }
        let reasonsByDay: [DeliverabilityReport.ReasonDay] = reasonKeys.map { k in
            DeliverabilityReport.ReasonDay(day: CivilDay.format(k.day), reason: k.reason, count: reasonDays[k] ?? 0)
        }

        let facts = inputs.facts.map(fact)
        let pauses = facts.filter { $0.kind.hasPrefix("delivery_") }
        var pausedSince: String?
        var pauseReason: String?
        if let last = inputs.facts.last(where: { $0.kind == .deliveryPaused || $0.kind == .deliveryResumed }),
            last.kind == .deliveryPaused
        {
            pausedSince = format(last.at)
            pauseReason = last.subject
        }

        var finalDelivery = delivery
        finalDelivery.pausedSince = pausedSince
        finalDelivery.pauseReason = pauseReason
        finalDelivery.pauses = pauses
        let selectionOut = DeliverabilityReport.Selection(
            since: selection.since.map(format), until: selection.until.map(format), domain: selection.domain,
            campaign: selection.campaign, minVolume: minVolume)
        return DeliverabilityReport(
            generatedAt: format(generatedAt), selection: selectionOut, days: sortedDays.map(CivilDay.format),
            totals: totals, bounceRate: totals.bounceRate, hosts: hosts, domains: domains, topByRate: Array(topByRate),
            topByCount: Array(topByCount), dailyByDomain: daily, reasons: reasonList, reasonsByDay: reasonsByDay,
            senderFaultHolds: holds,
            spikeGuard: facts.filter { f in
                f.kind.hasPrefix("guard_") && (selection.domain == nil || f.subject == selection.domain)
            }, delivery: finalDelivery)
    }

    /// Outcomes per day and domain (hosts and campaigns added up), by day then domain.
    public static func dailyRows(_ counts: [OutcomeCount]) -> [DeliverabilityReport.DomainDay] {
        struct Key: Hashable {
            var day: Int
            var domain: String
        }
        var cells: [Key: DeliverabilityReport.Outcomes] = [:]
        for c in counts { cells[Key(day: c.day, domain: c.domain), default: .init()].add(c.outcome, c.count) }
        return cells.sorted { a, b in a.key.day != b.key.day ? a.key.day < b.key.day : a.key.domain < b.key.domain }
            .map {
                .init(
                    domain: $0.key.domain, day: CivilDay.format($0.key.day), outcomes: $0.value,
                    bounceRate: $0.value.bounceRate)
            }
    }

    static func fact(_ f: RuntimeFact) -> DeliverabilityReport.Fact {
        .init(at: format(f.at), kind: f.kind.rawValue, subject: f.subject, status: f.status, detail: f.detail)
    }

    static func format(_ d: Date) -> String {
        RFC3339.format(LogTime(microseconds: Int64((d.timeIntervalSince1970 * 1_000_000).rounded())))
    }
}

extension DeliverabilityReport.Outcomes {
    mutating func add(_ outcome: OutcomeClass, _ n: Int) {
        switch outcome {
        case .delivered: delivered += n
        case .hard: hard += n
        case .soft: soft += n
        case .complaint: complaint += n
        case .deferred: deferred += n
        case .held: held += n
        }
    }
}

/// UTC days since the epoch as `YYYY-MM-DD` (Howard Hinnant's civil-from-days, proleptic Gregorian).
public enum CivilDay {
    public static func format(_ days: Int) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}
