//! The Prometheus metrics served at `/metrics`, in the OpenMetrics text format:
//! requests and their latency per route template, what was taken in (reports
//! and the snapshots they made per environment type, attestations per kind,
//! evidence bytes), notifications sent per target type and outcome, and the
//! database pool's use. Labels are route templates and
//! fixed vocabularies only, never names users choose, so the number of series
//! stays bounded whatever an org stores.

use std::sync::atomic::AtomicI64;
use std::time::Duration;

use custody_store::PoolUse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Served {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EnvironmentKind {
    environment_type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AttestationKind {
    attestation_type: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Notification {
    target: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolState {
    state: &'static str,
}

type Latency = Family<Route, Histogram, fn() -> Histogram>;

fn latency_buckets() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Every metric the server keeps, and the registry that renders them.
pub struct Metrics {
    registry: Registry,
    requests: Family<Served, Counter>,
    latency: Latency,
    reports: Family<EnvironmentKind, Counter>,
    snapshots: Family<EnvironmentKind, Counter>,
    attestations: Family<AttestationKind, Counter>,
    evidence_bytes: Counter,
    notifications: Family<Notification, Counter>,
    pool: Family<PoolState, Gauge<i64, AtomicI64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("custody");
        let requests = Family::<Served, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests served, by method, route template and status",
            requests.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_buckets);
        registry.register(
            "http_request_duration_seconds",
            "Time to serve an HTTP request, by method and route template",
            latency.clone(),
        );
        let reports = Family::<EnvironmentKind, Counter>::default();
        registry.register(
            "reports",
            "Environment reports taken in, by environment type",
            reports.clone(),
        );
        let snapshots = Family::<EnvironmentKind, Counter>::default();
        registry.register(
            "snapshots_created",
            "Snapshots made by reports that changed what runs, by environment type",
            snapshots.clone(),
        );
        let attestations = Family::<AttestationKind, Counter>::default();
        registry.register(
            "attestations",
            "Attestations recorded, by kind (custom types count as custom)",
            attestations.clone(),
        );
        let evidence_bytes = Counter::default();
        registry.register(
            "evidence_stored_bytes",
            "Bytes of attachments put in the evidence vault (a file sent twice counts twice; it is kept once)",
            evidence_bytes.clone(),
        );
        let notifications = Family::<Notification, Counter>::default();
        registry.register(
            "notifications",
            "Attempts to deliver actions' notifications, by target type and outcome (delivered, retried, given_up)",
            notifications.clone(),
        );
        let pool = Family::<PoolState, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "database_connections",
            "Database pool connections: in use, idle, and the pool's maximum",
            pool.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            reports,
            snapshots,
            attestations,
            evidence_bytes,
            notifications,
            pool,
        }
    }
}

impl Metrics {
    /// Counts one served request.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&Served {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// Counts one report of an environment type, and the snapshot it made.
    pub fn report(&self, environment_type: &'static str, made_snapshot: bool) {
        let kind = EnvironmentKind { environment_type };
        self.reports.get_or_create(&kind).inc();
        if made_snapshot {
            self.snapshots.get_or_create(&kind).inc();
        }
    }

    /// Counts one recorded attestation of a kind.
    pub fn attestation(&self, attestation_type: &'static str) {
        self.attestations
            .get_or_create(&AttestationKind { attestation_type })
            .inc();
    }

    /// Counts bytes put in the evidence vault.
    pub fn evidence(&self, bytes: u64) {
        self.evidence_bytes.inc_by(bytes);
    }

    /// Counts one delivery attempt to a target of this type (`SLACK`,
    /// `WEBHOOK`, `CDEVENTS`; anything else counts as `other`).
    pub fn notification(&self, target: &str, outcome: &'static str) {
        let target = match target {
            "SLACK" => "SLACK",
            "WEBHOOK" => "WEBHOOK",
            "CDEVENTS" => "CDEVENTS",
            _ => "other",
        };
        self.notifications
            .get_or_create(&Notification { target, outcome })
            .inc();
    }

    /// The metrics as OpenMetrics text, with the pool's use as of now.
    pub fn render(&self, pool: PoolUse) -> String {
        let in_use = pool.open.saturating_sub(pool.idle);
        for (state, value) in [("in_use", in_use), ("idle", pool.idle), ("max", pool.max)] {
            self.pool
                .get_or_create(&PoolState { state })
                .set(i64::from(value));
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> PoolUse {
        PoolUse {
            open: 3,
            idle: 1,
            max: 10,
        }
    }

    #[test]
    fn requests_are_counted_and_timed_by_route_template() {
        let m = Metrics::default();
        m.request("GET", "/api/v2/flows/{org}", 200, Duration::from_millis(3));
        m.request("GET", "/api/v2/flows/{org}", 200, Duration::from_millis(5));
        let text = m.render(pool());
        assert!(text.contains(
            r#"custody_http_requests_total{method="GET",route="/api/v2/flows/{org}",status="200"} 2"#
        ), "{text}");
        assert!(text.contains(
            r#"custody_http_request_duration_seconds_count{method="GET",route="/api/v2/flows/{org}"} 2"#
        ), "{text}");
    }

    #[test]
    fn reports_snapshots_attestations_evidence_and_the_pool_are_shown() {
        let m = Metrics::default();
        m.report("K8S", true);
        m.report("K8S", false);
        m.attestation("junit");
        m.evidence(1500);
        m.notification("SLACK", "retried");
        m.notification("x", "delivered");
        let text = m.render(pool());
        for line in [
            r#"custody_reports_total{environment_type="K8S"} 2"#,
            r#"custody_snapshots_created_total{environment_type="K8S"} 1"#,
            r#"custody_attestations_total{attestation_type="junit"} 1"#,
            "custody_evidence_stored_bytes_total 1500",
            r#"custody_notifications_total{target="SLACK",outcome="retried"} 1"#,
            r#"custody_notifications_total{target="other",outcome="delivered"} 1"#,
            r#"custody_database_connections{state="in_use"} 2"#,
            r#"custody_database_connections{state="max"} 10"#,
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
