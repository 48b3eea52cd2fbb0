//! Snapshot ingestion throughput: reports of 1,000 instances, unchanged and
//! changed, on SQLite and PostgreSQL. Prints reports per second and the rows
//! stored, to show storage grows with changes rather than reports.
//!
//! `cargo bench -p custody-store --bench ingest` (release); `-- --quick` for a short run.

use std::time::Instant;

use custody_core::Timestamp;
use custody_core::report::normalise;
use custody_store::testing::TestDatabase;
use custody_store::{EnvironmentUpsert, SqlStore, Store};
use serde_json::{Value, json};

const INSTANCES: usize = 1000;

/// A report of 1,000 pods over 50 services; `version` changes every fingerprint.
fn report(version: usize) -> Vec<Value> {
    (0..INSTANCES)
        .map(|i| {
            let service = i % 50;
            let digest = format!("{:056x}{:08x}", service + 1, version);
            json!({"podName": format!("svc{service}-{i}"), "namespace": "prod",
                   "digests": {format!("registry/svc{service}:v{version}"): digest},
                   "creationTimestamp": 1_700_000_000 + i})
        })
        .collect()
}

async fn measure(store: &dyn Store, rounds: usize) {
    let org = store
        .create_org("bench", Timestamp::from_seconds(0.0))
        .await
        .expect("org");
    let upsert = EnvironmentUpsert {
        name: "prod".into(),
        kind: custody_core::EnvironmentType::K8s,
        description: String::new(),
        include_scaling: true,
    };
    let (env, _) = store
        .upsert_environment(org.id, &upsert, Timestamp::from_seconds(0.0))
        .await
        .expect("env");
    let same = report(0);
    store
        .record_report(
            env.id,
            custody_core::EnvironmentType::K8s,
            Timestamp::from_seconds(1.0),
            normalise(&same).unwrap(),
        )
        .await
        .expect("first report");

    let start = Instant::now();
    for r in 0..rounds {
        store
            .record_report(
                env.id,
                custody_core::EnvironmentType::K8s,
                Timestamp::from_seconds(2.0 + r as f64),
                normalise(&same).unwrap(),
            )
            .await
            .expect("report");
    }
    let unchanged = rounds as f64 / start.elapsed().as_secs_f64();

    let start = Instant::now();
    for r in 0..rounds {
        let changed = report(r + 1);
        store
            .record_report(
                env.id,
                custody_core::EnvironmentType::K8s,
                Timestamp::from_seconds(1e6 + r as f64),
                normalise(&changed).unwrap(),
            )
            .await
            .expect("report");
    }
    let changed = rounds as f64 / start.elapsed().as_secs_f64();
    let latest = store
        .environment(org.id, "prod")
        .await
        .expect("env")
        .expect("env")
        .latest_index;
    println!(
        "{:<9} {INSTANCES} instances: unchanged {unchanged:>8.1} reports/s, changed {changed:>8.1} reports/s, \
         {} reports stored as {latest} snapshots",
        store.backend(),
        2 * rounds + 1
    );
}

#[tokio::main]
async fn main() {
    let rounds = if std::env::args().any(|a| a == "--quick") {
        10
    } else {
        100
    };
    for db in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        let store = SqlStore::connect(&db.url).await.expect("connect");
        measure(&store, rounds).await;
        store.close().await;
    }
}
