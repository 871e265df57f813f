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

    @Test func aMissingSourceDegradesHealthzAndAnOptionalOneIsANote() {
        let health = HealthRegistry()
        let fresh = HealthRegistry.healthz(health.status, notes: health.notes)
        #expect(fresh.status == 200 && fresh.body == "ok\n")
        health.setNote("source:exim", "/var/log/exim4/mainlog does not exist (optional)", degrades: false)
        let noted = HealthRegistry.healthz(health.status, notes: health.notes)
        #expect(noted.status == 200)
        #expect(noted.body == "ok\nnote: source:exim: /var/log/exim4/mainlog does not exist (optional)\n")
        health.setNote("source:mail.log", "/var/log/mail.log does not exist yet", degrades: true)
        let (code, body) = HealthRegistry.healthz(health.status, notes: health.notes)
        #expect(code == 200)
        #expect(body.hasPrefix("degraded\n"))
        #expect(body.contains("degraded: source:mail.log: /var/log/mail.log does not exist yet\n"))
        health.setUnhealthy("disk", reason: "low")
        #expect(HealthRegistry.healthz(health.status, notes: health.notes).status == 503)
        health.setHealthy("disk")
        health.clearNote("source:mail.log")
        #expect(HealthRegistry.healthz(health.status, notes: health.notes).body.hasPrefix("ok\n"))
    }

    @Test func logLevelsMapToSwiftLog() {
        #expect(LogLevelSetting.allCases.map(\.level.rawValue) == LogLevelSetting.allCases.map(\.rawValue))
    }
}
