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

/// How big an org, and how many samples of each measurement.
struct Run {
    scale: Scale,
    samples: usize,
}

fn run() -> Run {
    let args: Vec<String> = std::env::args().collect();
    let flag = args
        .iter()
        .position(|a| a == "--scale")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let fraction = flag
        .or_else(|| std::env::var("CUSTODY_BENCH_SCALE").ok())
        .map(|f| {
            f.parse::<f64>()
                .unwrap_or_else(|_| panic!("--scale takes a fraction of the full org, not {f}"))
        });
    match fraction {
        Some(f) => Run {
            scale: Scale::fraction(f),
            samples: 200,
        },
        None if args.iter().any(|a| a == "--quick") => Run {
            scale: Scale {
                snapshots: 150,
                ..Scale::fraction(0.001)
            },
            samples: 30,
        },
        None if args.iter().any(|a| a == "--bench") => Run {
            scale: Scale::fraction(0.01),
            samples: 200,
        },
        None => Run {
            scale: Scale {
                instances: 100,
                snapshots: 10,
                ..Scale::fraction(0.0)
            },
            samples: 3,
        },
    }
}

/// The org, its environments and the state of each environment's cluster.
pub struct Built {
    pub org: Org,
    pub environments: Vec<(EnvironmentRow, Cluster)>,
    /// Bytes of the instances that appeared or went, over every snapshot.
    pub changed_bytes: u64,
    pub snapshots: u64,
    /// What the database grew by while the environments reported.
    pub environment_bytes: u64,
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
    let (mut environments, mut changed_bytes) = (Vec::new(), 0);
    for index in 0..scale.environments {
        let mut previous = Vec::new();
        let built = build_environment(store, &org, index, scale, |report| {
            changed_bytes += ingest::changed_bytes(&previous, report);
            previous = report.to_vec();
        });
        environments.push(built.await.expect("environment"));
    }
    let snapshots = (scale.environments * scale.snapshots) as u64;
    println!(
        "  built {} environments × {} snapshots of ~{} instances in {:.1} s ({:.0} reports/s)",
        scale.environments,
        scale.snapshots,
        scale.instances,
        start.elapsed().as_secs_f64(),
        snapshots as f64 / start.elapsed().as_secs_f64()
    );
    let environment_bytes = ingest::database_bytes(store, raw)
        .await
        .saturating_sub(before);
    Built {
        org,
        environments,
        changed_bytes,
        snapshots,
        environment_bytes,
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
    for db in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        let store = SqlStore::connect(&db.url).await.expect("connect");
        println!("{}:", store.backend());
        let raw = AnyPool::connect(&db.url).await.expect("raw connection");
        let built = build(&store, &raw, &run.scale).await;
        store.optimize().await.expect("statistics");
        ingest::report_size(&built);
        ingest::measure(&store, &raw, &built, run.samples).await;
        reads::measure(&store, &raw, &built, &run.scale, run.samples).await;
        raw.close().await;
        store.close().await;
    }
}
