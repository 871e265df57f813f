import BounceCore
import Testing

@testable import BounceDaemon

/// `[guard]`: defaults, reading, and errors in the loader's style (key path, line, what is allowed).
@Suite struct SpikeGuardConfigTests {
    @Test func theDefaultsAreOnWithTheDocumentedRule() throws {
        let config = try ConfigLoader.parse("")
        #expect(config.spikeGuard == SpikeGuardConfig())
        let options = try #require(config.spikeGuard.options)
        #expect(options.window == 15 * 60_000_000)
        #expect(options.minHard == 20)
        #expect(options.ratio == 0.5)
        #expect(options.baseline == 24 * 3_600_000_000)
        #expect(PipelineFactory.options(config).spikeGuard == options)
        #expect(config.spikeGuard.summary.contains("20 or more in 15m make at least 50%"))
    }

    @Test func everyKeyIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [guard]
            window = "30m"
            min_hard = 50
            ratio = 0.8
            baseline = "2d"
            """)
        #expect(config.spikeGuard.window == .minutes(30))
        #expect(config.spikeGuard.minHard == 50)
        #expect(config.spikeGuard.ratio == 0.8)
        #expect(config.spikeGuard.baseline == .days(2))
        let off = try ConfigLoader.parse("[guard]\nenabled = false\n")
        #expect(off.spikeGuard.options == nil)
        #expect(PipelineFactory.options(off).spikeGuard == nil)
        #expect(off.spikeGuard.summary.hasPrefix("spike guard: off"))
    }

    @Test func badValuesNameTheKeyTheLineAndWhatIsAllowed() {
        let found = configIssues(
            """
            [guard]
            window = "10s"
            min_hard = 0
            ratio = 1.5
            baseline = "5m"
            enabeld = true
            """)
        let byKey = Dictionary(uniqueKeysWithValues: found.map { ($0.keyPath ?? "", $0) })
        #expect(byKey["guard.window"]?.line == 2)
        #expect(byKey["guard.window"]?.message.contains("allowed: 1m to 24h") == true)
        #expect(byKey["guard.min_hard"]?.line == 3)
        #expect(byKey["guard.min_hard"]?.message.contains("1 to 1000000") == true)
        #expect(byKey["guard.ratio"]?.line == 4)
        #expect(byKey["guard.ratio"]?.message.contains("at most 1.0") == true)
        #expect(byKey["guard.baseline"]?.line == 5)
        #expect(byKey["guard.baseline"]?.message.contains("shorter than the window") == true)
        #expect(byKey["guard.enabeld"]?.kind == .unknownKey)
        #expect(byKey["guard.enabeld"]?.message.contains("did you mean \"enabled\"") == true)
        #expect(found.count == 5)
    }
}
