//! The large-org generator builds into a kept database once: building again
//! takes what is there, a stopped build goes on from each environment's last
//! report and ends where an uninterrupted build ends, and an org whose flows
//! were cut short is refused rather than topped up.

use custody_store::testing::TestDatabase;
use custody_store::testing::large_org::churn::Cluster;
use custody_store::testing::large_org::{Scale, build_environment, build_flows};
use custody_store::{EnvironmentStore, FlowStore, OrgStore, SqlStore, StoreError};

const SCALE: Scale = Scale {
    flows: 5,
    artifacts: 50,
    environments: 1,
    instances: 60,
    snapshots: 12,
};

/// Builds environment 0 of the org at `scale`; returns its latest snapshot
/// index, its cluster's last report and how many reports were recorded.
async fn environment(store: &SqlStore, scale: &Scale) -> (i64, Vec<serde_json::Value>, usize) {
    let org = build_flows(store, "large", scale).await.expect("flows");
    let mut recorded = 0;
    let (env, cluster) = build_environment(store, &org, 0, scale, |_| recorded += 1)
        .await
        .expect("environment");
    let env = store
        .environment(org.id, &env.name)
        .await
        .expect("read")
        .expect("the environment");
    (env.latest_index, cluster.report(), recorded)
}

#[tokio::test]
async fn a_stopped_build_resumes_and_ends_as_an_uninterrupted_one() {
    let (straight_db, resumed_db) = (TestDatabase::sqlite(), TestDatabase::sqlite());
    let straight = SqlStore::connect(&straight_db.url).await.expect("connect");
    let resumed = SqlStore::connect(&resumed_db.url).await.expect("connect");

    let whole = environment(&straight, &SCALE).await;
    assert_eq!(whole.2, SCALE.snapshots, "every report is recorded once");

    let stopped = Scale {
        snapshots: 5,
        ..SCALE
    };
    let part = environment(&resumed, &stopped).await;
    assert_eq!(part.2, 5);
    let rest = environment(&resumed, &SCALE).await;
    assert_eq!(rest.2, SCALE.snapshots - 5, "only the missing reports");
    assert_eq!(rest.0, whole.0, "the same number of snapshots");
    assert_eq!(rest.1, whole.1, "the cluster ends in the same state");
    assert_eq!(
        Cluster::at_step(0, &SCALE, SCALE.snapshots as u64 - 1).report(),
        whole.1
    );

    let again = environment(&resumed, &SCALE).await;
    assert_eq!(again.2, 0, "a complete build is kept as it is");
    assert_eq!(again.0, whole.0);
    let org = resumed.org("large").await.expect("read").expect("the org");
    let (flows, _) = resumed
        .flows(org.id, None, false, None)
        .await
        .expect("flows");
    assert_eq!(flows.len(), SCALE.flows, "flows are not built twice");
}

#[tokio::test]
async fn an_org_whose_flows_were_cut_short_is_refused() {
    let db = TestDatabase::sqlite();
    let store = SqlStore::connect(&db.url).await.expect("connect");
    let fewer = Scale { flows: 3, ..SCALE };
    build_flows(&store, "large", &fewer).await.expect("flows");
    match build_flows(&store, "large", &SCALE).await {
        Err(StoreError::Conflict(message)) => {
            assert!(
                message.contains("build into an empty database"),
                "{message}"
            )
        }
        other => panic!("expected a refusal, got {:?}", other.map(|o| o.name)),
    }
}
