//! Backends: concurrent reports, which lean on each database's locking, and
//! the same basic scenarios (flows, artifact compliance, snapshots with their
//! views, search and asserts, concurrent reports, filtered event logs), each
//! on a fresh SQLite database and a fresh PostgreSQL one (at
//! `CUSTODY_TEST_PG_URL`, default the local server).

use tokio::task::JoinSet;

use custody_store::testing::TestDatabase;

use crate::fixtures::{self, report};
use crate::harness::{TestServer, fails, fp, start};
use crate::snapshots::pods;
use crate::{artifacts, event_filters, flows_trails, snapshots, views};

/// Sixteen different reports at once: each becomes its own snapshot, 1..16.
pub async fn concurrent_reports_scenario(srv: &TestServer) {
    let fpa = fp("aaaa1");
    fixtures::environment(&srv.snapshotter, "busy").await;
    let mut tasks = JoinSet::new();
    for n in 1..=16 {
        let api = srv.snapshotter.clone();
        let pods = pods("runner:1", &fpa, n);
        tasks.spawn(async move { report(&api, "busy", pods).await });
    }
    let mut indexes = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        let (index, new) = outcome.expect("report task");
        assert!(new, "every report differs from every other");
        indexes.push(index);
    }
    indexes.sort_unstable();
    assert_eq!(indexes, (1..=16).collect::<Vec<i64>>());
    for index in 1..=16 {
        assert_eq!(
            srv.reader
                .json(&format!("snapshots/acme/busy/{index}"))
                .await["index"],
            index
        );
    }
    let beyond = "Org: 'acme'. Snapshot 'busy#17' resolves to 'busy#17'. len(snapshots) == 16. Indexes are 1-based";
    fails(srv.reader.get("snapshots/acme/busy/17").await, 404, beyond);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_reports_get_contiguous_indexes() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    concurrent_reports_scenario(&srv).await;
    srv.stop().await;
}

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

async fn fresh(backend: Backend) -> TestDatabase {
    match backend {
        Backend::Sqlite => TestDatabase::sqlite(),
        Backend::Postgres => TestDatabase::postgres().await,
    }
}

/// Runs every basic scenario on its own database of `backend`.
async fn basics(backend: Backend) {
    let db = fresh(backend).await;
    let srv = start(&db).await;
    flows_trails::flows_scenario(&srv).await;
    srv.stop().await;

    let db = fresh(backend).await;
    let srv = start(&db).await;
    artifacts::compliance_scenario(&srv).await;
    srv.stop().await;

    let db = fresh(backend).await;
    let srv = start(&db).await;
    snapshots::snapshots_scenario(&srv).await;
    views::views_scenario(&srv).await;
    views::search_and_assert_scenario(&srv).await;
    concurrent_reports_scenario(&srv).await;
    srv.stop().await;

    let db = fresh(backend).await;
    let srv = start(&db).await;
    event_filters::event_filters_scenario(&srv).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        eprintln!("basics on {backend:?}");
        basics(backend).await;
    }
}
