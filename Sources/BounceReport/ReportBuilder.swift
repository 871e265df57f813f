import BounceStore
import Foundation

extension StateDB {
    /// Reads everything the report shows for `selection` and assembles it.
    ///
    /// The outcome counts are kept per UTC day: `since` selects from its day on, `until` up to the end of the day
    /// before it when it is midnight, else to the end of its own day; bounces by reason select by exact log time.
    public func deliverabilityReport(
        _ selection: ReportSelection, minVolume: Int = ReportDefinitions.defaultMinVolume, now: Date = Date()
    ) throws(StateDBError) -> DeliverabilityReport {
        let inputs = ReportAssembler.Inputs(
            counts: try outcomeCounts(countQuery(selection)),
            reasons: try reasonsByDay(selection),
            texts: try latestRemoteTexts(selection),
            holds: try senderFaultHolds(selection),
            facts: try facts(since: selection.since, until: selection.until),
            status: try status(),
            dead: try recentDeadLetters(limit: 5))
        return ReportAssembler.assemble(inputs, selection: selection, minVolume: minVolume, generatedAt: now)
    }

    /// Every day and domain of the selection's outcome counts (for the CSV), by day then domain.
    public func dailyOutcomeRows(_ selection: ReportSelection) throws(StateDBError) -> [DeliverabilityReport.DomainDay]
    {
        ReportAssembler.dailyRows(try outcomeCounts(countQuery(selection)))
    }

    /// The whole UTC days the selection covers.
    func countQuery(_ selection: ReportSelection) -> OutcomeCountQuery {
        let fromDay = selection.since.map { StateDB.day(ofMicros: micros($0)) }
        let toDay = selection.until.map { u -> Int in
            let m = micros(u)
            let d = StateDB.day(ofMicros: m)
            return m == Int64(d) * 86_400_000_000 ? d : d + 1
        }
        return OutcomeCountQuery(fromDay: fromDay, toDay: toDay, domain: selection.domain, campaign: selection.campaign)
    }

    private func micros(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1_000_000).rounded()) }
}
