import Testing

@testable import BounceDaemon

@Suite struct MetricsServerTests {
    @Test func metricsShowsACounterThatWasIncremented() async throws {
        let (metrics, registry) = MetricsBootstrap.isolated()
        let health = HealthRegistry(metrics: metrics)
        metrics.linesRead(source: "mail.log").increment(by: 41)
        metrics.linesRead(source: "mail.log").increment()
        metrics.events(reason: "userunknown", type: "hard", fault: "recipient", action: "forward").increment()

        let server = try await MetricsServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0), registry: registry, health: health
        ).start()
        let response = try await LoopbackHTTP.get(port: server.port, path: "/metrics")
        await server.stop()

        #expect(response.status == 200)
        #expect(response.head.lowercased().contains("content-type: text/plain; version=0.0.4"))
        #expect(response.body.contains(#"bouncetail_lines_read_total{source="mail.log"} 42"#))
        #expect(response.body.contains(#"bouncetail_events_total{"#))
        #expect(response.body.contains(#"reason="userunknown""#))
        #expect(response.body.contains("bouncetail_healthy 1"))
    }

    @Test func healthzFlipsTo503WithTheReasonAndBack() async throws {
        let (metrics, registry) = MetricsBootstrap.isolated()
        let health = HealthRegistry(metrics: metrics)
        let server = try await MetricsServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0), registry: registry, health: health
        ).start()

        let ok = try await LoopbackHTTP.get(port: server.port, path: "/healthz")
        health.setUnhealthy(
            "dispatcher", reason: "paused: listmonk answered 403 (check the API user's webhooks:post_bounce permission)"
        )
        health.setUnhealthy("disk", reason: "free space below disk_low_watermark (256MiB); reading paused")
        let bad = try await LoopbackHTTP.get(port: server.port, path: "/healthz")
        let metricsWhileBad = try await LoopbackHTTP.get(port: server.port, path: "/metrics")
        health.setHealthy("dispatcher")
        let stillBad = try await LoopbackHTTP.get(port: server.port, path: "/healthz")
        health.setHealthy("disk")
        let again = try await LoopbackHTTP.get(port: server.port, path: "/healthz")
        await server.stop()

        #expect(ok.status == 200)
        #expect(ok.body == "ok\n")
        #expect(bad.status == 503)
        #expect(bad.body.contains("dispatcher: paused: listmonk answered 403"))
        #expect(bad.body.contains("disk: free space below disk_low_watermark"))
        #expect(metricsWhileBad.body.contains("bouncetail_healthy 0"))
        #expect(stillBad.status == 503)
        #expect(!stillBad.body.contains("dispatcher"))
        #expect(again.status == 200)
    }

    @Test func anAddressInUseIsReportedAndStopClosesThePort() async throws {
        let registry = MetricsBootstrap.isolated().registry
        let health = HealthRegistry()
        let first = try await MetricsServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0), registry: registry, health: health
        ).start()
        await #expect(throws: (any Error).self) {
            let second = try await MetricsServer(
                listen: ListenAddress(host: "127.0.0.1", port: first.port), registry: registry, health: health
            ).start()
            await second.stop()
        }
        await first.stop()
        await #expect(throws: (any Error).self) { try await LoopbackHTTP.get(port: first.port, path: "/healthz") }
    }

    @Test func everyMetricIsUniqueAndNamedForPrometheus() {
        let names = MetricName.all.map(\.name)
        #expect(Set(names).count == names.count)
        for d in MetricName.all {
            #expect(d.name.hasPrefix("bouncetail_"))
            #expect(d.type == "counter" ? d.name.hasSuffix("_total") : !d.name.hasSuffix("_total"), "\(d.name)")
        }
    }
}

@Suite struct MetricsDocumentationTests {
    @Test func operationsDocListsEveryMetricAndNoOther() throws {
        let text = try ConfigDocumentationTests.read("docs/operations.md")
        var documented: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `bouncetail_") {
            documented.insert(String(line.dropFirst(3).prefix(while: { $0 != "`" })))
        }
        #expect(documented == Set(MetricName.all.map(\.name)))
    }
}
