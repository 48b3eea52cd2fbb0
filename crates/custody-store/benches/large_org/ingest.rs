//! Reports into the populated org: unchanged and changed 1,000-instance
//! reports timed one by one with the statements each sends, beside a baseline
//! transaction on plain tables that reads the same open rows and inserts the
//! same new rows; and what the environments' history costs on disk.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use custody_core::report::{self, OpenRun, RunningArtifact, normalise};
use custody_store::testing::large_org::Scale;
use custody_store::testing::large_org::churn::Cluster;
use custody_store::{EnvironmentStore, SqlStore, Store};
use serde_json::Value;
use sqlx::{AnyPool, AssertSqlSafe};

use crate::{Built, percentiles, statements, verdict};

/// Bytes the database holds now.
pub async fn database_bytes(store: &SqlStore, raw: &AnyPool) -> u64 {
    let sql = match store.backend() {
        "sqlite" => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        _ => "SELECT pg_database_size(current_database())",
    };
    let (bytes,): (i64,) = sqlx::query_as(sql).fetch_one(raw).await.expect("size");
    bytes as u64
}

/// Bytes of the instances one report has and the other has not.
pub fn changed_bytes(previous: &[Value], report: &[Value]) -> u64 {
    let a: HashSet<String> = previous.iter().map(Value::to_string).collect();
    let b: HashSet<String> = report.iter().map(Value::to_string).collect();
    a.symmetric_difference(&b).map(|s| s.len() as u64).sum()
}

/// Prints the database's growth per 10,000 snapshots against the bytes that
/// changed; for a kept org built before, what the whole database holds.
pub fn report_size(built: &Built, scale: &Scale) {
    if built.snapshots < 2 {
        println!(
            "  size: {:.1} MB in all for {} artifacts and {} snapshots (the growth per 10,000 \
             snapshots is measured while the environments are built)",
            built.total_bytes as f64 / 1e6,
            scale.flows * scale.versions(),
            scale.environments * scale.snapshots
        );
        return;
    }
    let per = |bytes: u64| bytes as f64 / built.snapshots as f64 * 10_000.0 / 1e6;
    println!(
        "  size: {:.1} MB per 10,000 snapshots; the instances that changed are {:.1} MB ({:.1}× as much stored)",
        per(built.environment_bytes),
        per(built.changed_bytes),
        built.environment_bytes as f64 / built.changed_bytes.max(1) as f64
    );
}

/// The rows a changed report adds: its new runs as (fingerprint, name, replicas, instances).
fn opened(
    previous: &[RunningArtifact],
    running: &[RunningArtifact],
) -> Vec<(String, String, i64, String)> {
    let open: Vec<OpenRun> = previous
        .iter()
        .enumerate()
        .map(|(i, a)| OpenRun {
            id: i as i64,
            fingerprint: a.fingerprint.clone(),
            replicas: a.replicas(),
        })
        .collect();
    report::diff(&open, running)
        .map(|change| change.opened)
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            (
                a.fingerprint.clone(),
                a.name.clone(),
                a.replicas(),
                Value::from(a.instances.clone()).to_string(),
            )
        })
        .collect()
}

/// The baseline: one transaction on plain tables that moves a timestamp,
/// reads the open rows and inserts `rows` in one statement.
async fn baseline(pool: &AnyPool, open: usize, rows: &[(String, String, i64, String)]) -> Duration {
    let start = Instant::now();
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("UPDATE bench_env SET at = at + 1")
        .execute(&mut *tx)
        .await
        .expect("update");
    let _: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, fingerprint, replicas FROM bench_runs WHERE env = 1 LIMIT $1")
            .bind(open as i64)
            .fetch_all(&mut *tx)
            .await
            .expect("select");
    if !rows.is_empty() {
        let values: Vec<String> = (0..rows.len())
            .map(|i| {
                format!(
                    "(2, ${}, ${}, ${}, ${})",
                    i * 4 + 1,
                    i * 4 + 2,
                    i * 4 + 3,
                    i * 4 + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO bench_runs (env, fingerprint, name, replicas, instances) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (fingerprint, name, replicas, instances) in rows {
            q = q
                .bind(fingerprint.clone())
                .bind(name.clone())
                .bind(*replicas)
                .bind(instances.clone());
        }
        q.execute(&mut *tx).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    start.elapsed()
}

async fn baseline_tables(store: &SqlStore, pool: &AnyPool, open: &[RunningArtifact]) {
    let id = match store.backend() {
        "sqlite" => "INTEGER PRIMARY KEY",
        _ => "BIGSERIAL PRIMARY KEY",
    };
    for sql in [
        "DROP TABLE IF EXISTS bench_env".to_string(),
        "DROP TABLE IF EXISTS bench_runs".to_string(),
        "CREATE TABLE bench_env (at BIGINT NOT NULL)".to_string(),
        "INSERT INTO bench_env VALUES (0)".to_string(),
        format!(
            "CREATE TABLE bench_runs (id {id}, env BIGINT NOT NULL, fingerprint TEXT NOT NULL, name TEXT NOT NULL, replicas BIGINT NOT NULL, instances TEXT NOT NULL)"
        ),
        "CREATE INDEX bench_runs_by_env ON bench_runs (env)".to_string(),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .execute(pool)
            .await
            .expect("baseline table");
    }
    for a in open {
        sqlx::query("INSERT INTO bench_runs (env, fingerprint, name, replicas, instances) VALUES (1, $1, $2, $3, $4)")
            .bind(a.fingerprint.clone())
            .bind(a.name.clone())
            .bind(a.replicas())
            .bind(Value::from(a.instances.clone()).to_string())
            .execute(pool)
            .await
            .expect("baseline row");
    }
}

/// Times unchanged and changed reports to the first environment, then
/// counts the statements of one more of each (counting is not timed).
pub async fn measure(store: &SqlStore, pool: &AnyPool, built: &Built, samples: usize) {
    let (env, cluster) = &built.environments[0];
    let mut cluster = cluster.clone();
    let mut previous = normalise(&cluster.report()).expect("report");
    baseline_tables(store, pool, &previous).await;
    let instances: usize = previous.iter().map(|a| a.instances.len()).sum();
    let record = |cluster: &Cluster| {
        let running = normalise(&cluster.report()).expect("report");
        store.record_report(env.id, env.kind, cluster.at(), running)
    };
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let start = Instant::now();
        record(&cluster).await.expect("unchanged report");
        ours.push(start.elapsed());
        base.push(baseline(pool, previous.len(), &[]).await);
    }
    let (_, statements) = statements::count(record(&cluster)).await;
    print_ingest("unchanged", instances, ours, base, statements, 5.0);
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        cluster.advance();
        let running = normalise(&cluster.report()).expect("report");
        let rows = opened(&previous, &running);
        let start = Instant::now();
        record(&cluster).await.expect("changed report");
        ours.push(start.elapsed());
        base.push(baseline(pool, previous.len(), &rows).await);
        previous = running;
    }
    cluster.advance();
    let (_, statements) = statements::count(record(&cluster)).await;
    print_ingest("changed", instances, ours, base, statements, 20.0);
}

fn print_ingest(
    what: &str,
    instances: usize,
    ours: Vec<Duration>,
    base: Vec<Duration>,
    statements: u64,
    target: f64,
) {
    let (p50, p99) = percentiles(ours);
    let (b50, b99) = percentiles(base);
    println!(
        "  ingest {what:<9} {instances}-instance report: p50 {p50:>6.2} ms p99 {p99:>6.2} ms ({:.0}/s), {statements} statements \
         | baseline p50 {b50:>5.2} ms p99 {b99:>5.2} ms | p99 {}",
        1e3 / p50,
        verdict(p99, target)
    );
}
