//! The org-wide lookups are driven by an index on both databases once the
//! planner has statistics of a populated org (beside a second org, so the org
//! filter matters): runs of fingerprints and running fingerprints by prefix
//! through `runs_by_org_fingerprint`, the attestations of artifacts through
//! one index per kind of binding. None of them scans a table.

use custody_core::HexPrefix;
use custody_core::report::normalise;
use custody_store::testing::TestDatabase;
use custody_store::testing::large_org::churn::Cluster;
use custody_store::testing::large_org::{Scale, build_flows, create_environment, fingerprint};
use custody_store::{ArtifactStore, EnvironmentStore, LookupPlans, SqlStore, Store};

const SCALE: Scale = Scale {
    flows: 10,
    artifacts: 200,
    environments: 2,
    instances: 200,
    snapshots: 150,
};

async fn populated(db: &TestDatabase) -> LookupPlans {
    let store = SqlStore::connect(&db.url).await.expect("connect");
    let mut target = None;
    for name in ["other", "acme"] {
        let org = build_flows(&store, name, &SCALE).await.expect("flows");
        for index in 0..SCALE.environments {
            let env = create_environment(&store, &org, index).await.expect("env");
            let mut cluster = Cluster::new(index, &SCALE);
            for _ in 0..SCALE.snapshots {
                let running = normalise(&cluster.report()).expect("report");
                store
                    .record_report(env.id, env.kind, cluster.at(), running)
                    .await
                    .expect("record");
                cluster.advance();
            }
        }
        target = Some(org);
    }
    let org = target.expect("an org");
    store.optimize().await.expect("statistics");
    let fingerprints = [fingerprint(1, 2), fingerprint(3, 4)];
    let prefix = HexPrefix::parse(&fingerprint(1, 2).as_str()[..6]).expect("prefix");
    let artifacts = store
        .artifacts_with_fingerprints(org.id, &fingerprints)
        .await
        .expect("artifacts");
    assert_eq!(artifacts.len(), 2, "the generator made both artifacts");
    let plans = store
        .lookup_plans(org.id, &fingerprints, &prefix, &artifacts)
        .await
        .expect("plans");
    store.close().await;
    plans
}

/// Asserts a plan names `index` and has none of the `scans` of a large table.
fn uses(plan: &str, index: &str, scans: &[&str]) {
    assert!(plan.contains(index), "{index} is not used:\n{plan}");
    for line in plan.lines() {
        let step = line.trim_start_matches([' ', '-', '>']);
        for scan in scans {
            assert!(!step.starts_with(scan), "{scan}:\n{plan}");
        }
    }
}

/// SQLite's `SCAN r` (the runs alias) and `SCAN runs`, whether or not through an index.
const SQLITE_SCANS: &[&str] = &["SCAN r", "SCAN attestations"];
const POSTGRES_SCANS: &[&str] = &["Seq Scan on runs", "Seq Scan on attestations"];

#[tokio::test]
async fn sqlite_lookups_use_indexes() {
    let plans = populated(&TestDatabase::sqlite()).await;
    uses(
        &plans.runs_of,
        "USING INDEX runs_by_org_fingerprint",
        SQLITE_SCANS,
    );
    uses(
        &plans.running_fingerprints,
        "USING COVERING INDEX runs_by_org_fingerprint",
        SQLITE_SCANS,
    );
    for index in [
        "attestations_by_artifact",
        "attestations_by_trail",
        "attestations_by_commit",
    ] {
        uses(&plans.attestations_for, index, SQLITE_SCANS);
    }
}

#[tokio::test]
async fn postgres_lookups_use_indexes() {
    let plans = populated(&TestDatabase::postgres().await).await;
    uses(&plans.runs_of, "runs_by_org_fingerprint", POSTGRES_SCANS);
    uses(
        &plans.running_fingerprints,
        "runs_by_org_fingerprint",
        POSTGRES_SCANS,
    );
    for index in [
        "attestations_by_artifact",
        "attestations_by_trail",
        "attestations_by_commit",
    ] {
        uses(&plans.attestations_for, index, POSTGRES_SCANS);
    }
}
