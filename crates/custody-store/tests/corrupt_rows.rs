//! A stored value the store could not have written (edited behind its back)
//! is reported as corrupt when read, never trusted or panicked on.

use custody_core::{Fingerprint, Timestamp};
use custody_store::testing::TestDatabase;
use custody_store::{
    ArtifactInsert, ArtifactScope, ArtifactStore, FlowStore, FlowUpsert, OrgStore, Page, SqlStore,
    StoreError,
};

#[tokio::test]
async fn a_stored_fingerprint_that_is_not_one_is_corrupt() {
    let db = TestDatabase::sqlite();
    let store = SqlStore::connect(&db.url).await.expect("connect");
    let org = store
        .create_org("acme", Timestamp::from_seconds(1.0))
        .await
        .unwrap();
    let flow = FlowUpsert {
        name: "svc".into(),
        description: String::new(),
        visibility: "private".into(),
        template: None,
    };
    let (flow, _) = store
        .upsert_flow(org.id, &flow, Timestamp::from_seconds(1.0))
        .await
        .unwrap();
    store
        .insert_artifact(&ArtifactInsert {
            flow_id: flow.id,
            trail_id: None,
            fingerprint: Fingerprint::parse(&"a".repeat(64)).unwrap(),
            filename: "app".into(),
            template_name: None,
            git_commit: None,
            commit_url: None,
            build_url: None,
            repo_url: None,
            repo: None,
            payload: "{}".into(),
            created_at: Timestamp::from_seconds(2.0),
        })
        .await
        .unwrap();
    let raw = sqlx::AnyPool::connect(&db.url).await.expect("connect");
    sqlx::query("UPDATE artifacts SET fingerprint = 'not-a-fingerprint'")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;

    let page = Page {
        page: 1,
        per_page: 10,
    };
    let listed = store.artifacts(org.id, &ArtifactScope::Org, page).await;
    match listed {
        Err(StoreError::Corrupt(why)) => assert!(
            why.contains("fingerprint") && why.contains("not-a-fingerprint"),
            "{why}"
        ),
        other => panic!("expected a corrupt row, got {other:?}"),
    }
    store.close().await;
}
