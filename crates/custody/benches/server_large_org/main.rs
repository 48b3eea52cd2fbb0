//! A large org over HTTP, on SQLite and PostgreSQL: builds it through the store
//! (`custody_store::testing::large_org`), starts a `custody server` process on
//! it and prints the p50/p99 of the API's main reads and the web UI's main
//! pages ([`endpoints`]), each beside `GET /live` (which touches no database)
//! timed in the same run, with the SQL statements one request sends (counted
//! from sqlx's events on the same routes served in this process) and the
//! server's resident memory idle and under load. A missed target (p99 under
//! 10 ms, idle memory under 50 MB) is printed with how far off it is.
//!
//! `cargo bench -p custody --bench server_large_org -- --scale F` builds a
//! fraction F of the full org (`CUSTODY_BENCH_SCALE` too; `--scale 1`: 500 flows, 200,000 artifacts, 100
//! environments × 10,000 snapshots; hours); without `--scale`, `cargo bench`
//! builds a hundredth; `-- --quick` the short run the test script makes;
//! without arguments (`cargo test --benches`) it only checks that it runs.
//! `--database URL` (`CUSTODY_BENCH_DATABASE`) uses that database alone and
//! keeps it, as the store's `large_org` benchmark does: an org built there
//! by either benchmark at the same scale is measured at once.

#[path = "../../../custody-store/benches/large_org/figures.rs"]
mod figures;
#[allow(dead_code)] // The CLI tests use the rest of it.
#[path = "../../tests/cli/harness.rs"]
mod harness;
#[path = "../../../custody-store/benches/large_org/statements.rs"]
mod statements;

mod endpoints;
mod measure;

use std::time::Instant;

use custody_core::Timestamp;
use custody_server::{AppState, admin, open_store};
use custody_store::Store;
use custody_store::testing::TestDatabase;
use custody_store::testing::large_org::{Scale, build_environment, build_flows};
use endpoints::{Endpoint, ORG};
use figures::{percentiles, verdict};
use measure::{Client, PeakRss, rss_mb};

/// Every read's p99 target, in milliseconds.
const TARGET_MS: f64 = 10.0;
/// The idle server's memory target, in MB.
const IDLE_RSS_MB: f64 = 50.0;

/// The database to keep the org in (`--database URL`, `CUSTODY_BENCH_DATABASE`).
fn kept_database() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--database")
        .map(|i| args.get(i + 1).expect("--database takes a URL").clone())
        .or_else(|| std::env::var("CUSTODY_BENCH_DATABASE").ok())
}

fn run() -> (Scale, usize) {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let flag = args.iter().position(|a| a == "--scale");
    let scale = flag
        .map(|i| args.get(i + 1).expect("--scale takes a fraction").clone())
        .or_else(|| std::env::var("CUSTODY_BENCH_SCALE").ok())
        .map(|f| {
            f.parse::<f64>()
                .unwrap_or_else(|_| panic!("--scale takes a fraction of the full org, not {f}"))
        });
    match scale {
        Some(f) => (Scale::fraction(f), 200),
        None if has("--quick") => (
            Scale {
                snapshots: 100,
                ..Scale::fraction(0.001)
            },
            30,
        ),
        None if has("--bench") => (Scale::fraction(0.01), 200),
        None => (
            Scale {
                instances: 100,
                snapshots: 10,
                ..Scale::fraction(0.0)
            },
            3,
        ),
    }
}

async fn build(store: &dyn Store, scale: &Scale) {
    let start = Instant::now();
    let org = build_flows(store, ORG, scale).await.expect("flows");
    for index in 0..scale.environments {
        build_environment(store, &org, index, scale, |_| {})
            .await
            .expect("environment");
    }
    println!(
        "  built {} flows, {} artifacts, {} environments × {} snapshots of ~{} instances in {:.1} s",
        scale.flows,
        scale.flows * scale.versions(),
        scale.environments,
        scale.snapshots,
        scale.instances,
        start.elapsed().as_secs_f64()
    );
}

/// The statements one request of each endpoint sends, on a server in this process.
async fn statements_per_request(
    store: std::sync::Arc<dyn Store>,
    key: &str,
    all: &[Endpoint],
) -> Vec<u64> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let never = std::future::pending::<()>();
    let grace = std::time::Duration::from_secs(1);
    let server = tokio::spawn(custody_server::serve(
        listener,
        AppState::new(store),
        never,
        grace,
    ));
    let client = Client::sign_in(&base, key).await;
    let mut counts = Vec::new();
    for endpoint in all {
        client.sample(endpoint, 0).await;
        let (_, n) = statements::count(client.sample(endpoint, 0)).await;
        counts.push(n);
    }
    server.abort();
    counts
}

async fn measure(db: &TestDatabase, scale: &Scale, samples: usize) {
    let store = open_store(&db.url).await.expect("open the database");
    build(store.as_ref(), scale).await;
    let now = Timestamp::from_seconds(1_700_000_000.0);
    let key = admin::create_api_key(store.as_ref(), ORG, "admin", "bench", now)
        .await
        .expect("key")
        .key;
    let all = endpoints::all(scale);
    let statements = statements_per_request(store, &key, &all).await;

    let dir = tempfile::tempdir().expect("evidence directory");
    let launch = harness::Launch::default();
    let (mut server, host) = harness::spawn(&db.url, dir.path(), &launch);
    let client = Client::sign_in(&host, &key).await;
    let idle = rss_mb(server.id());
    let peak = PeakRss::watch(server.id());
    for (endpoint, statements) in all.iter().zip(statements) {
        let (mut ours, mut live) = (Vec::new(), Vec::new());
        for i in 0..samples {
            ours.push(client.sample(endpoint, i).await);
            live.push(client.get("/live", None).await);
        }
        let (p50, p99) = percentiles(ours);
        let (b50, b99) = percentiles(live);
        println!(
            "  {:<28} p50 {p50:>7.2} ms p99 {p99:>7.2} ms {statements:>3} statements | /live p50 {b50:>5.2} ms p99 {b99:>5.2} ms | p99 {}",
            endpoint.label,
            verdict(p99, TARGET_MS)
        );
    }
    let loaded = peak.peak_mb();
    let idle_verdict = if idle <= IDLE_RSS_MB {
        format!("meets < {IDLE_RSS_MB} MB")
    } else {
        format!("MISSES < {IDLE_RSS_MB} MB by {:.1} MB", idle - IDLE_RSS_MB)
    };
    println!("  server RSS idle {idle:.1} MB ({idle_verdict}), under load {loaded:.1} MB at most");
    let _ = server.kill();
    let _ = server.wait();
}

#[tokio::main]
async fn main() {
    let (scale, samples) = run();
    statements::install();
    println!("SERVER_BENCH large org at {scale:?}, {samples} samples per figure");
    if let Some(url) = kept_database() {
        println!("{url}:");
        measure(&TestDatabase::kept(&url).await, &scale, samples).await;
        return;
    }
    println!("SQLite:");
    measure(&TestDatabase::sqlite(), &scale, samples).await;
    println!("PostgreSQL:");
    measure(&TestDatabase::postgres().await, &scale, samples).await;
}
