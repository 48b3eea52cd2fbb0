//! `optimize` leaves the query planner statistics of the tables it finds
//! indexed and filled: `sqlite_stat1` rows on SQLite, `last_analyze` times on
//! PostgreSQL. Without them the planners guess, and guess worse as data grows.

use custody_core::Timestamp;
use custody_store::testing::TestDatabase;
use custody_store::{FlowStore, FlowUpsert, OrgStore, SqlStore, Store};

async fn filled(db: &TestDatabase) -> SqlStore {
    let store = SqlStore::connect(&db.url).await.expect("connect");
    let org = store
        .create_org("acme", Timestamp::from_seconds(1.0))
        .await
        .expect("org");
    for n in 0..20 {
        let flow = FlowUpsert {
            name: format!("svc{n}"),
            description: String::new(),
            visibility: "private".into(),
            template: None,
        };
        store
            .upsert_flow(org.id, &flow, Timestamp::from_seconds(1.0))
            .await
            .expect("flow");
    }
    store
}

async fn count(db: &TestDatabase, sql: &'static str) -> i64 {
    let raw = sqlx::AnyPool::connect(&db.url).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&raw).await.expect(sql);
    raw.close().await;
    n
}

#[tokio::test]
async fn sqlite_statistics_are_gathered() {
    let db = TestDatabase::sqlite();
    let store = filled(&db).await;
    store.optimize().await.expect("optimize");
    let rows = count(&db, "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'flows'").await;
    assert!(rows > 0, "no statistics for flows");
    store.close().await;
}

#[tokio::test]
async fn postgres_statistics_are_gathered() {
    let db = TestDatabase::postgres().await;
    let store = filled(&db).await;
    let sql = "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'flows' AND last_analyze IS NOT NULL";
    assert_eq!(count(&db, sql).await, 0, "analysed before asked");
    store.optimize().await.expect("optimize");
    assert_eq!(count(&db, sql).await, 1);
    store.close().await;
}
