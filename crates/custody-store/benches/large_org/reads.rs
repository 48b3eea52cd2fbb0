//! The store reads behind the API's main documents, timed on the populated
//! org: each sample is every store call the document makes, and the baseline
//! beside it fetches as many rows of `runs` by primary key in one statement.

use std::future::Future;
use std::time::{Duration, Instant};

use custody_core::{Fingerprint, HexPrefix};
use custody_store::testing::large_org::{Scale, commit, fingerprint};
use custody_store::{
    ArtifactRow, ArtifactStore, EnvironmentRow, EnvironmentStore, FlowStore, Page, RunRow, SqlStore,
};
use sqlx::AnyPool;

use crate::{Built, percentiles, verdict};

/// Every read's p99 target, in milliseconds.
const TARGET: f64 = 10.0;
/// Snapshots on a page of the environment log (the API's default).
const LOG_PAGE: i64 = 15;

/// Times `read` (which returns the rows it read) and the baseline `samples` times.
async fn time<F, Fut>(what: &str, raw: &AnyPool, samples: usize, mut read: F)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = usize>,
{
    let (mut ours, mut base, mut rows) = (Vec::new(), Vec::new(), 0);
    for i in 0..samples {
        let start = Instant::now();
        rows = read(i).await;
        ours.push(start.elapsed());
        base.push(baseline(raw, i, rows).await);
    }
    let (p50, p99) = percentiles(ours);
    let (b50, b99) = percentiles(base);
    println!(
        "  {what:<28} p50 {p50:>7.2} ms p99 {p99:>7.2} ms ({rows:>4} rows) | baseline p50 {b50:>5.2} ms p99 {b99:>5.2} ms | p99 {}",
        verdict(p99, TARGET)
    );
}

/// One statement fetching `rows` runs by primary key, from a place in the
/// table that moves with `i` (and wraps round at its end).
async fn baseline(raw: &AnyPool, i: usize, rows: usize) -> Duration {
    let start = Instant::now();
    let got: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, fingerprint, name, instances FROM runs \
         WHERE id >= $1 % (SELECT MAX(id) FROM runs) ORDER BY id LIMIT $2",
    )
    .bind((i * 7) as i64)
    .bind(rows.max(1) as i64)
    .fetch_all(raw)
    .await
    .expect("baseline");
    assert!(!got.is_empty());
    start.elapsed()
}

/// The store calls of a snapshot document: its runs and their provenance.
async fn snapshot(
    store: &SqlStore,
    org: &custody_store::Org,
    env: &EnvironmentRow,
    index: i64,
) -> usize {
    let env = store
        .environment(org.id, &env.name)
        .await
        .expect("env")
        .expect("env");
    store
        .snapshot(env.id, index)
        .await
        .expect("snapshot")
        .expect("snapshot");
    let runs = store.runs_at(env.id, index).await.expect("runs");
    provenance(store, org, runs.iter().map(|r| &r.fingerprint)).await;
    runs.len()
}

/// Artifacts of the runs' fingerprints and their attestations.
async fn provenance<'a>(
    store: &SqlStore,
    org: &custody_store::Org,
    running: impl Iterator<Item = &'a Fingerprint>,
) -> Vec<ArtifactRow> {
    let fingerprints: Vec<Fingerprint> = running.cloned().collect();
    let artifacts = store
        .artifacts_with_fingerprints(org.id, &fingerprints)
        .await
        .expect("artifacts");
    store
        .attestations_for(&artifacts)
        .await
        .expect("attestations");
    artifacts
}

pub async fn measure(
    store: &SqlStore,
    raw: &AnyPool,
    built: &Built,
    scale: &Scale,
    samples: usize,
) {
    let org = &built.org;
    let envs = &built.environments;
    let env = |i: usize| &envs[i % envs.len()].0;
    let latest = scale.snapshots as i64;
    let version = |i: usize| (i * 7919) % scale.versions();
    time("get artifact", raw, samples, |i| async move {
        let fp = fingerprint(i % scale.flows, version(i));
        let rows = store
            .artifacts_by_fingerprint(org.id, None, &HexPrefix::parse(fp.as_str()).unwrap())
            .await
            .unwrap();
        store.attestations_for(&rows).await.unwrap();
        let flows: Vec<_> = rows.iter().map(|r| r.flow_id).collect();
        let trails: Vec<_> = rows.iter().filter_map(|r| r.trail_id).collect();
        store.flows_by_id(&flows).await.unwrap();
        store.trails_by_id(&trails).await.unwrap();
        let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
        store.deployments_of(&ids).await.unwrap();
        let runs = store.runs_of(org.id, &[fp]).await.unwrap();
        store.environments(org.id, None).await.unwrap();
        runs.len() + rows.len()
    })
    .await;
    time("get snapshot latest", raw, samples, |i| {
        snapshot(store, org, env(i), latest)
    })
    .await;
    time("get snapshot #N (old)", raw, samples, |i| {
        snapshot(store, org, env(i), 1 + (i as i64 * 37) % (latest / 2))
    })
    .await;
    time("diff #N (old) vs latest", raw, samples, |i| async move {
        let env = env(i);
        let old = store.runs_at(env.id, (latest / 2).max(1)).await.unwrap();
        let new = store.runs_at(env.id, latest).await.unwrap();
        let both: Vec<RunRow> = old.into_iter().chain(new).collect();
        provenance(store, org, both.iter().map(|r| &r.fingerprint)).await;
        both.len()
    })
    .await;
    let log = |i: usize, page: i64| async move {
        let env = env(i);
        let to = (latest - (page - 1) * LOG_PAGE).max(1);
        let from = (to - LOG_PAGE + 1).max(1);
        let runs = store.runs_changed(env.id, from, to).await.unwrap();
        let page = Page {
            page: 1,
            per_page: LOG_PAGE as u32,
        };
        store
            .snapshots(env.id, from, to, false, page)
            .await
            .unwrap();
        provenance(store, org, runs.iter().map(|r| &r.fingerprint)).await;
        runs.len()
    };
    time("log environment page 1", raw, samples, |i| log(i, 1)).await;
    let deep = (latest / LOG_PAGE * 9 / 10).max(1);
    time(&format!("log environment page {deep}"), raw, samples, |i| {
        log(i, deep)
    })
    .await;
    time("search commit prefix", raw, samples, |i| async move {
        let prefix = HexPrefix::parse(&commit(i % scale.flows, version(i))[..7]).unwrap();
        let found = store
            .artifacts_by_commit(org.id, None, &prefix)
            .await
            .unwrap();
        let running = store.running_fingerprints(org.id, &prefix).await.unwrap();
        store.runs_of(org.id, &running).await.unwrap();
        found.len() + running.len()
    })
    .await;
    time("list flows", raw, samples, |_| async move {
        store
            .flows(org.id, None, false, None)
            .await
            .unwrap()
            .0
            .len()
    })
    .await;
}
