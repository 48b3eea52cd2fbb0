//! Runs are found through checkpoints every 100 snapshots: on both databases,
//! across several checkpoints of a churning cluster, every snapshot's runs
//! and every range's runs are exactly those a scan of all the environment's
//! runs finds, and the migration's backfill writes the same checkpoints as
//! recording the reports did.

use std::collections::BTreeSet;

use custody_core::report::normalise;
use custody_store::testing::TestDatabase;
use custody_store::testing::large_org::churn::Cluster;
use custody_store::testing::large_org::{Scale, build_flows, create_environment};
use custody_store::{EnvironmentStore, SqlStore};
use sqlx::{AnyPool, AssertSqlSafe};

const SCALE: Scale = Scale {
    flows: 5,
    artifacts: 50,
    environments: 1,
    instances: 40,
    snapshots: 250,
};

type Span = (String, i64, Option<i64>);

/// Every run of the environment, as (id, fingerprint, from, to).
async fn all_runs(raw: &AnyPool, env: i64) -> Vec<(i64, String, i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT id, fingerprint, from_idx, to_idx FROM runs WHERE env_id = $1 ORDER BY id",
    )
    .bind(env)
    .fetch_all(raw)
    .await
    .expect("runs")
}

async fn checkpoints(raw: &AnyPool) -> BTreeSet<(i64, i64, i64)> {
    sqlx::query_as("SELECT env_id, idx, run_id FROM run_checkpoints")
        .fetch_all(raw)
        .await
        .expect("checkpoints")
        .into_iter()
        .collect()
}

async fn check(db: &TestDatabase, backfill: &str) {
    let store = SqlStore::connect(&db.url).await.expect("connect");
    let raw = AnyPool::connect(&db.url).await.expect("raw");
    let org = build_flows(&store, "acme", &SCALE).await.expect("flows");
    let env = create_environment(&store, &org, 0).await.expect("env");
    let mut cluster = Cluster::new(0, &SCALE);
    for step in 0..SCALE.snapshots {
        if step > 0 {
            cluster.advance();
        }
        let running = normalise(&cluster.report()).expect("report");
        store
            .record_report(env.id, env.kind, cluster.at(), running)
            .await
            .expect("record");
    }
    let runs = all_runs(&raw, env.id.into()).await;
    let latest = runs.iter().map(|r| r.2).max().expect("runs");
    assert!(latest > 200, "the history crosses two checkpoints");

    let verify = || async {
        for index in 1..=latest {
            let expected: Vec<i64> = runs
                .iter()
                .filter(|(_, _, from, to)| *from <= index && to.is_none_or(|t| t >= index))
                .map(|r| r.0)
                .collect();
            let found: Vec<i64> = store
                .runs_at(env.id, index)
                .await
                .expect("runs at")
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(found, expected, "the runs of snapshot {index}");
        }
        let ranges = [(1, 1), (1, latest), (99, 101), (100, 100), (101, 180)];
        let more = [(150, 160), (200, 201), (201, 201), (latest, latest)];
        for (from, to) in ranges.into_iter().chain(more) {
            let mut expected: Vec<Span> = runs
                .iter()
                .filter(|(_, _, f, t)| *f <= to && t.is_none_or(|t| t > from))
                .map(|(_, fp, f, t)| (fp.clone(), *f, *t))
                .collect();
            let mut found: Vec<Span> = store
                .runs_during(env.id, from, to)
                .await
                .expect("runs during")
                .into_iter()
                .map(|r| (r.fingerprint.to_string(), r.from_idx, r.to_idx))
                .collect();
            expected.sort();
            found.sort();
            assert_eq!(found, expected, "the runs of {from}..={to}");
        }
    };
    verify().await;

    let written = checkpoints(&raw).await;
    let marks: BTreeSet<i64> = written.iter().map(|c| c.1).collect();
    assert_eq!(marks, BTreeSet::from([100, 200]));
    sqlx::query("DELETE FROM run_checkpoints")
        .execute(&raw)
        .await
        .expect("delete");
    sqlx::query(AssertSqlSafe(backfill.to_string()))
        .execute(&raw)
        .await
        .expect("backfill");
    assert_eq!(
        checkpoints(&raw).await,
        written,
        "the backfill's checkpoints"
    );
    verify().await;
    raw.close().await;
    store.close().await;
}

/// The statement of a migration that fills the checkpoints of an existing history.
fn backfill(migration: &str) -> &str {
    let marker = "-- The checkpoints of the history recorded so far.";
    migration.split(marker).nth(1).expect("the backfill")
}

#[tokio::test]
async fn sqlite_finds_runs_through_checkpoints() {
    sqlx::any::install_default_drivers();
    let sql = include_str!("../migrations/sqlite/0016_run_checkpoints.sql");
    check(&TestDatabase::sqlite(), backfill(sql)).await;
}

#[tokio::test]
async fn postgres_finds_runs_through_checkpoints() {
    let sql = include_str!("../migrations/postgres/0016_run_checkpoints.sql");
    check(&TestDatabase::postgres().await, backfill(sql)).await;
}
