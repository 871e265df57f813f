import Benchmark
import BounceCore

/// The spike guard's cost per outcome: a day of a large list's outcomes (19 deliveries to 1 hard bounce)
/// over 20 000 recipient domains, one outcome every 50 ms of log time, with one domain in an incident.
func guardBenchmarks() {
    let outcomes = 200_000
    var rng = SplitMix(seed: 11)
    let domains = (0..<20_000).map { "d\($0).example" }
    // Skewed like real lists: a few big providers take most of the mail.
    let picks = (0..<outcomes).map { _ -> Int in
        let r = rng.next() % 100
        return r < 60 ? Int(r % 5) : Int(rng.next() % UInt64(domains.count))
    }
    let base: Int64 = 1_796_083_200_000_000

    Benchmark(
        "Spike guard: 200k outcomes over 20k domains",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var g = HardBounceGuard()
            var held = 0
            for i in 0..<outcomes {
                let t = LogTime(microseconds: base + Int64(i) * 50_000)
                let d = domains[picks[i]]
                if i % 20 == 0 || (d == "d3.example" && i > outcomes / 2) {
                    if case .hold = g.recordHardBounce(domain: d, reason: "userunknown", at: t) { held += 1 }
                } else {
                    g.recordDelivery(domain: d, at: t)
                }
            }
            blackHole(held)
        }
    }
}
