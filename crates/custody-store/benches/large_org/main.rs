//! A large org on SQLite and PostgreSQL: builds it through the store
//! (`custody_store::testing::large_org`), then prints, each beside a baseline
//! measured in the same run on the same database, the ingest of unchanged and
//! changed 1,000-instance reports with their statements, the p50/p99 of the
//! store reads behind the API's main documents, and the database size per
//! 10,000 snapshots against the bytes that changed. A target of the issue
//! that is missed is printed with how far off it is.
//!
//! `cargo bench -p custody-store --bench large_org -- --scale 1` builds the
//! full org (500 flows, 200,000 artifacts, 100 environments × 10,000
//! snapshots; hours); `--scale F` a fraction of it (`CUSTODY_BENCH_SCALE`
//! too); `--quick` the short run the test script makes. Without arguments
//! (`cargo test --benches`) it only checks that it runs, on a tiny org.
//! `--database URL` (`CUSTODY_BENCH_DATABASE`) builds into that database
//! alone and keeps it: a later run on it measures at once, and a build that
//! was stopped goes on where it stopped.

mod figures;
mod ingest;
mod reads;
mod statements;

use std::time::Instant;

use custody_store::testing::TestDatabase;
use custody_store::testing::large_org::churn::Cluster;
use custody_store::testing::large_org::{Scale, build_environment, build_flows};
use custody_store::{EnvironmentRow, Org, SqlStore, Store};
use sqlx::AnyPool;

pub use figures::{percentiles, verdict};

/// How big an org, how many samples of each measurement, and the database
/// to keep it in (else a throwaway one on each backend).
struct Run {
    scale: Scale,
    samples: usize,
    database: Option<String>,
}

fn run() -> Run {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str, var: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .or_else(|| std::env::var(var).ok())
    };
    let database = value("--database", "CUSTODY_BENCH_DATABASE");
    let fraction = value("--scale", "CUSTODY_BENCH_SCALE").map(|f| {
        f.parse::<f64>()
            .unwrap_or_else(|_| panic!("--scale takes a fraction of the full org, not {f}"))
    });
    let (scale, samples) = match fraction {
        Some(f) => (Scale::fraction(f), 200),
        None if args.iter().any(|a| a == "--quick") => (
            Scale {
                snapshots: 150,
                ..Scale::fraction(0.001)
            },
            30,
        ),
        None if args.iter().any(|a| a == "--bench") => (Scale::fraction(0.01), 200),
        None => (
            Scale {
                instances: 100,
                snapshots: 10,
                ..Scale::fraction(0.0)
            },
            3,
        ),
    };
    Run {
        scale,
        samples,
        database,
    }
}

/// The org, its environments and the state of each environment's cluster.
pub struct Built {
    pub org: Org,
    pub environments: Vec<(EnvironmentRow, Cluster)>,
    /// Bytes of the instances that appeared or went, over the snapshots
    /// recorded in this run.
    pub changed_bytes: u64,
    /// Snapshots recorded in this run (none when a kept org is complete).
    pub snapshots: u64,
    /// What the database grew by while the environments reported.
    pub environment_bytes: u64,
    /// What the database holds in all, with every snapshot of every run.
    pub total_bytes: u64,
}

async fn build(store: &SqlStore, raw: &AnyPool, scale: &Scale) -> Built {
    let start = Instant::now();
    let org = build_flows(store, "large", scale).await.expect("flows");
    println!(
        "  built {} flows, {} artifacts with 3 attestations each in {:.1} s",
        scale.flows,
        scale.flows * scale.versions(),
        start.elapsed().as_secs_f64()
    );
    let before = ingest::database_bytes(store, raw).await;
    let start = Instant::now();
    let (mut environments, mut changed_bytes, mut snapshots) = (Vec::new(), 0, 0);
    for index in 0..scale.environments {
        let mut previous = Vec::new();
        let built = build_environment(store, &org, index, scale, |report| {
            changed_bytes += ingest::changed_bytes(&previous, report);
            previous = report.to_vec();
            snapshots += 1;
        });
        environments.push(built.await.expect("environment"));
    }
    println!(
        "  built {} environments × {} snapshots of ~{} instances: {snapshots} reports recorded in {:.1} s ({:.0} reports/s)",
        scale.environments,
        scale.snapshots,
        scale.instances,
        start.elapsed().as_secs_f64(),
        snapshots as f64 / start.elapsed().as_secs_f64()
    );
    let total_bytes = ingest::database_bytes(store, raw).await;
    Built {
        org,
        environments,
        changed_bytes,
        snapshots,
        environment_bytes: total_bytes.saturating_sub(before),
        total_bytes,
    }
}

#[tokio::main]
async fn main() {
    let run = run();
    statements::install();
    println!(
        "large org at {:?}, {} samples per figure",
        run.scale, run.samples
    );
    let databases = match &run.database {
        Some(url) => vec![TestDatabase::kept(url).await],
        None => vec![TestDatabase::sqlite(), TestDatabase::postgres().await],
    };
    for db in databases {
        let store = SqlStore::connect(&db.url).await.expect("connect");
        println!("{}:", store.backend());
        let raw = AnyPool::connect(&db.url).await.expect("raw connection");
        let built = build(&store, &raw, &run.scale).await;
        store.optimize().await.expect("statistics");
        ingest::report_size(&built, &run.scale);
        ingest::measure(&store, &raw, &built, run.samples).await;
        reads::measure(&store, &raw, &built, &run.scale, run.samples).await;
        raw.close().await;
        store.close().await;
    }
}
