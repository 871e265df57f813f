import BounceStore
import Testing

@testable import BounceDaemon

/// The backfill summary keeps the first notices of late or conflicting UUIDs and counts the rest: a first
/// backfill after a long `run` may have one per bounce, and only 20 are ever printed.
@Test func backfillSummaryKeepsTheFirstNoticesAndCountsTheRest() {
    func batch(_ n: Int, from first: Int) -> BatchResult {
        BatchResult(
            duplicates: n, enrichTooLate: n,
            enrichmentNotices: (first..<first + n).map {
                EnrichmentNotice(kind: .tooLate, dedupKey: "k\($0)", email: "u\($0)@example.org", detail: "sent")
            })
    }
    var summary = BackfillSummary()
    summary.add(batch(15, from: 0))
    summary.add(batch(30, from: 15))
    #expect(summary.enrichTooLate == 45)
    #expect(summary.enrichmentNotices.count == BackfillSummary.enrichmentNoticeLimit)
    #expect(summary.enrichmentNotices.first?.hasPrefix("u0@example.org: sent") == true)
    #expect(summary.enrichmentNotices.last?.hasPrefix("u19@example.org") == true)
}
