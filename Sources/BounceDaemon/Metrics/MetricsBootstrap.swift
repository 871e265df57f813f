import CoreMetrics
import Prometheus
import Synchronization

/// Bootstraps swift-metrics with Prometheus once per process.
public enum MetricsBootstrap {
    private static let registry = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Makes Prometheus the process-wide metrics backend and returns its registry (what `/metrics`
    /// serves). `MetricsSystem.bootstrap` may run only once per process, so later calls return the
    /// registry of the first.
    public static func bootstrapPrometheus() -> PrometheusCollectorRegistry {
        registry.withLock { existing in
            if let existing { return existing }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            existing = created
            return created
        }
    }

    /// A facade over a private registry, not the process-wide one: for tests, and for a command that
    /// wants its own figures.
    public static func isolated() -> (metrics: BounceMetrics, registry: PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        return (BounceMetrics(factory: PrometheusMetricsFactory(registry: registry)), registry)
    }
}
