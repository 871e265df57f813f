import Benchmark

// Each area registers its benchmarks from its own file; add a call here.
let benchmarks: @Sendable () -> Void = {
    parserBenchmarks()
    guardBenchmarks()
    trackerStateBenchmarks()
    normaliserBenchmarks()
}
