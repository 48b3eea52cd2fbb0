//! Runs the store contract on both backends.

use std::sync::Arc;

use custody_store::testing::TestDatabase;
use custody_store::{SqlStore, contract};

async fn run(db: &TestDatabase) {
    let store = SqlStore::connect(&db.url).await.expect("connect");
    contract::run_all(Arc::new(store.clone())).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_passes_the_contract() {
    run(&TestDatabase::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_passes_the_contract() {
    run(&TestDatabase::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_indexes_stay_contiguous_across_processes() {
    let db = TestDatabase::postgres().await;
    let a = SqlStore::connect(&db.url).await.expect("connect");
    let b = SqlStore::connect(&db.url).await.expect("connect");
    contract::concurrent_reports_from_several_processes(&[
        Arc::new(a.clone()),
        Arc::new(b.clone()),
    ])
    .await;
    a.close().await;
    b.close().await;
}
