import Testing

@testable import BounceDaemon

@Suite struct HealthRegistryTests {
    @Test func oneComponentRecoveringDoesNotHideAnother() {
        let (metrics, registry) = MetricsBootstrap.isolated()
        let health = HealthRegistry(metrics: metrics)
        #expect(health.status == .healthy)
        health.setUnhealthy("source:mail.log", reason: "unreadable")
        health.setUnhealthy("dispatcher", reason: "paused: 404")
        health.setUnhealthy("dispatcher", reason: "paused: 503")
        #expect(
            health.status
                == .unhealthy([
                    .init(component: "dispatcher", reason: "paused: 503"),
                    .init(component: "source:mail.log", reason: "unreadable"),
                ]))
        health.setHealthy("dispatcher")
        #expect(!health.status.isHealthy)
        #expect(registry.emitToString().contains("bouncetail_healthy 0"))
        health.setHealthy("source:mail.log")
        #expect(health.status.isHealthy)
        #expect(registry.emitToString().contains("bouncetail_healthy 1"))
    }

    @Test func logLevelsMapToSwiftLog() {
        #expect(LogLevelSetting.allCases.map(\.level.rawValue) == LogLevelSetting.allCases.map(\.rawValue))
    }
}
