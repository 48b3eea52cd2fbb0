//! A fingerprint scaled up and down stores only the instances that changed
//! (pieces over a run stored whole), reads back exactly as reported at every
//! snapshot, and its snapshots still read back as the log recorded them.

use custody_core::report::normalise;
use custody_core::{EnvironmentType, Timestamp};
use custody_store::testing::TestDatabase;
use custody_store::{EnvironmentStore, EnvironmentUpsert, OrgStore, SqlStore, contract};
use serde_json::{Value, json};

const DIGEST: &str = "7a7d3ebe7ed5cd3b9c6ed0c4b4e5c0d1d1e5a1b2c3d4e5f60718293a4b5c6d7e";

fn pods(names: impl IntoIterator<Item = usize>) -> Vec<Value> {
    names
        .into_iter()
        .map(|n| {
            json!({"podName": format!("web-{n}"), "namespace": "prod",
                        "creationTimestamp": 1_700_000_000 + n, "digests": {"web": DIGEST}})
        })
        .collect()
}

async fn check(db: &TestDatabase) {
    let store = SqlStore::connect(&db.url).await.expect("connect");
    let at = Timestamp::from_seconds;
    let org = store.create_org("acme", at(1.0)).await.expect("org");
    let upsert = EnvironmentUpsert {
        name: "prod".into(),
        kind: EnvironmentType::K8s,
        description: String::new(),
        include_scaling: true,
    };
    let (env, _) = store
        .upsert_environment(org.id, &upsert, at(1.0))
        .await
        .expect("env");
    // 500 pods; one more; one fewer (an old one goes); most replaced; one more.
    let reports = [
        pods(0..500),
        pods(0..501),
        pods(1..501),
        pods((1..200).chain(600..900)),
        pods((1..200).chain(600..901)),
    ];
    for (i, report) in reports.iter().enumerate() {
        let running = normalise(report).expect("report");
        store
            .record_report(env.id, env.kind, at(10.0 + i as f64), running)
            .await
            .expect("record");
    }
    for (i, report) in reports.iter().enumerate() {
        let index = i as i64 + 1;
        let runs = store.runs_at(env.id, index).await.expect("runs");
        let open: Vec<_> = runs
            .iter()
            .filter(|r| r.to_idx.is_none_or(|to| to > index))
            .collect();
        let expected = Value::from(normalise(report).unwrap()[0].instances.clone()).to_string();
        assert_eq!(open.len(), 1);
        assert!(
            open[0].instances == expected,
            "snapshot #{index} reads back as reported"
        );
    }
    let raw = sqlx::AnyPool::connect(&db.url).await.expect("raw");
    let sizes: Vec<(i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT from_idx, base_run_id, CAST(LENGTH(instances) AS BIGINT) FROM runs ORDER BY from_idx",
    )
    .fetch_all(&raw)
    .await
    .expect("sizes");
    raw.close().await;
    let whole = sizes[0].2;
    let bases: Vec<bool> = sizes.iter().map(|(_, base, _)| base.is_some()).collect();
    assert_eq!(
        bases,
        [false, true, true, false, true],
        "a change of most instances is stored whole"
    );
    for (from, base, bytes) in &sizes {
        if base.is_some() {
            assert!(
                *bytes * 20 < whole,
                "snapshot #{from} stores {bytes} bytes, not a copy of {whole}"
            );
        }
    }
    contract::every_fact_is_logged_and_reads_back(&store).await;
    store.close().await;
}

#[tokio::test]
async fn sqlite_stores_only_changed_instances() {
    check(&TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn postgres_stores_only_changed_instances() {
    check(&TestDatabase::postgres().await).await;
}
