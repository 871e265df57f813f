import Foundation
import Testing

@testable import BounceDaemon

/// The Grafana dashboard and the Prometheus alert rules in packaging/ name only metrics bouncetail exports, and
/// the alerts the operations guide promises are there. (`promtool check rules` and `promtool test rules` run in
/// the root suite's "dashboards" step, where Debian's prometheus package is installed.)
@Suite struct DashboardMetricsTests {
    static let dashboard = "packaging/grafana/bouncetail-dashboard.json"
    static let rules = "packaging/prometheus/bouncetail-alerts.yml"

    /// Every `bouncetail_…` name in the text (a PromQL expression or a whole file).
    static func metricNames(_ text: String) -> Set<String> {
        var names: Set<String> = []
        var current = ""
        func flush() {
            if current.hasPrefix("bouncetail_"), current.count > "bouncetail_".count { names.insert(current) }
            current = ""
        }
        for c in text {
            if c.isLetter || c.isNumber || c == "_" { current.append(c) } else { flush() }
        }
        flush()
        return names
    }

    /// The PromQL expressions of the dashboard's panels and template variables.
    static func dashboardExpressions() throws -> [String] {
        let data = Data(try ConfigDocumentationTests.read(dashboard).utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        var exprs: [String] = []
        for p in panels {
            for t in (p["targets"] as? [[String: Any]]) ?? [] { if let e = t["expr"] as? String { exprs.append(e) } }
        }
        let templating = (json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for v in templating { if let q = v["query"] as? String, q.contains("bouncetail_") { exprs.append(q) } }
        return exprs
    }

    @Test func theDashboardUsesOnlyExportedMetrics() throws {
        let exprs = try Self.dashboardExpressions()
        #expect(exprs.count >= 15)
        let used = exprs.reduce(into: Set<String>()) { $0.formUnion(Self.metricNames($1)) }
        let exported = Set(MetricName.all.map(\.name))
        #expect(used.subtracting(exported).isEmpty, "not exported: \(used.subtracting(exported).sorted())")
        // What the issue asks to see: delivery paused, outbox, dead letters, silent sources, spike guard, disk.
        for needed in [
            MetricName.dispatcherPaused, MetricName.outboxPending, MetricName.outboxDead, MetricName.sourceLastLine,
            MetricName.guardTrippedDomains, MetricName.diskFree, MetricName.diskMinFree, MetricName.heldSenderFaults,
        ] {
            #expect(used.contains(needed), "the dashboard does not show \(needed)")
        }
    }

    @Test func theAlertRulesUseOnlyExportedMetricsAndCoverTheIssuesAlerts() throws {
        let text = try ConfigDocumentationTests.read(Self.rules)
        let used = Self.metricNames(text)
        let exported = Set(MetricName.all.map(\.name))
        #expect(used.subtracting(exported).isEmpty, "not exported: \(used.subtracting(exported).sorted())")
        let alerts = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                let t = line.trimmingCharacters(in: .whitespaces)
                return t.hasPrefix("- alert: ") ? String(t.dropFirst("- alert: ".count)) : nil
            })
        #expect(
            alerts.isSuperset(of: [
                "BouncetailDeliveryPaused", "BouncetailOutboxGrowing", "BouncetailDeadLetters",
                "BouncetailSourceSilent",
                "BouncetailSpikeGuardTripped", "BouncetailDiskBelowWatermark",
            ]))
    }

    @Test func theNameScannerFindsNamesInsidePromQL() {
        #expect(
            Self.metricNames("time() - max by (source) (bouncetail_source_last_line_timestamp_seconds{x=\"y\"}) > 3")
                == ["bouncetail_source_last_line_timestamp_seconds"])
        #expect(Self.metricNames("rate(bouncetail_nope_total[5m])") == ["bouncetail_nope_total"])
    }

    /// The gauges added for the alerts are really served under the names the rules use.
    @Test func theNewGaugesAreServed() async throws {
        let (metrics, registry) = MetricsBootstrap.isolated()
        metrics.sourceLastLine(source: "journal").record(1_764_000_000)
        metrics.diskFree.record(5_000_000_000)
        metrics.diskMinFree.record(268_435_456)
        let server = try await MetricsServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0), registry: registry,
            health: HealthRegistry(metrics: metrics)
        ).start()
        let response = try await LoopbackHTTP.get(port: server.port, path: "/metrics")
        await server.stop()
        #expect(response.body.contains(#"bouncetail_source_last_line_timestamp_seconds{source="journal"} 1764000000"#))
        #expect(response.body.contains("bouncetail_state_disk_free_bytes 5000000000"))
        #expect(response.body.contains("bouncetail_state_disk_min_free_bytes 268435456"))
    }
}
