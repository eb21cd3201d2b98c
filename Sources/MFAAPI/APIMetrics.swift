import Foundation
import Metrics
import Prometheus

/// The API's Prometheus metrics. Owns its registry (no global `MetricsSystem.bootstrap`), so many
/// servers can live in one process (tests) and `/metrics` shows exactly this server's figures.
public final class APIMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5),
        ]
        self.factory = factory
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        registry.emitToString()
    }

    /// One finished HTTP request. `route` is the registered route pattern, never the raw path.
    func request(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "mfa_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "mfa_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
                      factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// One sign-in verification: `verified`, `rejected`, `replayed`, `locked`, `not_found`, `invalid`.
    func verification(result: String) {
        Counter(label: "mfa_verifications_total", dimensions: [("result", result)], factory: factory).increment()
    }

    /// One enrollment step: `type` (totp, hotp, recovery_codes), `stage` (begun, confirmed, failed, imported, generated).
    func enrollment(type: String, stage: String) {
        Counter(label: "mfa_enrollments_total", dimensions: [("type", type), ("stage", stage)], factory: factory).increment()
    }

    /// A request refused because the method is throttled (`verify` or `confirm`).
    func lockout(operation: String) {
        Counter(label: "mfa_lockouts_total", dimensions: [("operation", operation)], factory: factory).increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
