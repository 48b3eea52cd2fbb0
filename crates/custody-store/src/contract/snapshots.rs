//! Reports, snapshots and runs, also under concurrent reports.

use std::sync::Arc;

use custody_core::ids::EnvironmentId;
use custody_core::report::normalise;
use custody_core::{HexPrefix, Timestamp};

use super::{at, fingerprint, fp, instance};
use crate::{EnvironmentUpsert, Page, ReportOutcome, Store};

async fn env(store: &dyn Store, org: &str, name: &str) -> EnvironmentId {
    let org = store.create_org(org, at(1.0)).await.unwrap();
    let upsert = EnvironmentUpsert {
        name: name.into(),
        kind: custody_core::EnvironmentType::K8s,
        description: String::new(),
        include_scaling: true,
    };
    store
        .upsert_environment(org.id, &upsert, at(1.0))
        .await
        .unwrap()
        .0
        .id
}

pub async fn snapshots_follow_changes(store: &dyn Store) {
    let env_id = env(store, "snap-org", "prod").await;
    let report = |items: &[serde_json::Value]| normalise(items).unwrap();
    let a1 = [instance(&fp('a'), 1)];
    assert_eq!(
        store
            .record_report(
                env_id,
                custody_core::EnvironmentType::K8s,
                at(10.0),
                report(&a1)
            )
            .await
            .unwrap(),
        ReportOutcome::Created(1)
    );
    assert_eq!(
        store
            .record_report(
                env_id,
                custody_core::EnvironmentType::K8s,
                at(11.0),
                report(&a1)
            )
            .await
            .unwrap(),
        ReportOutcome::Unchanged(1)
    );
    let a3 = [
        instance(&fp('a'), 1),
        instance(&fp('a'), 2),
        instance(&fp('a'), 3),
    ];
    assert_eq!(
        store
            .record_report(
                env_id,
                custody_core::EnvironmentType::K8s,
                at(20.0),
                report(&a3)
            )
            .await
            .unwrap(),
        ReportOutcome::Created(2),
        "scaling makes a snapshot"
    );
    let mut ab = a3.to_vec();
    ab.push(instance(&fp('b'), 4));
    assert_eq!(
        store
            .record_report(
                env_id,
                custody_core::EnvironmentType::K8s,
                at(30.0),
                report(&ab)
            )
            .await
            .unwrap(),
        ReportOutcome::Created(3)
    );
    assert_eq!(
        store
            .record_report(
                env_id,
                custody_core::EnvironmentType::K8s,
                at(40.0),
                report(&[])
            )
            .await
            .unwrap(),
        ReportOutcome::Created(4)
    );

    let running_at = |runs: Vec<crate::RunRow>, idx: i64| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = runs
            .into_iter()
            .filter(|r| r.from_idx <= idx && r.to_idx.is_none_or(|t| t > idx))
            .map(|r| (r.fingerprint.as_str()[..1].to_string(), r.replicas))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        running_at(store.runs_at(env_id, 1).await.unwrap(), 1),
        [("a".into(), 1)]
    );
    assert_eq!(
        running_at(store.runs_at(env_id, 3).await.unwrap(), 3),
        [("a".into(), 3), ("b".into(), 1)]
    );
    assert!(running_at(store.runs_at(env_id, 4).await.unwrap(), 4).is_empty());
    let org = store.org("snap-org").await.unwrap().unwrap();
    let env_row = store.environment(org.id, "prod").await.unwrap().unwrap();
    assert_eq!(
        (
            env_row.latest_index,
            env_row.last_reported_at.map(Timestamp::seconds),
            env_row.last_changed_at.map(Timestamp::seconds)
        ),
        (4, Some(40.0), Some(40.0))
    );

    let runs = store
        .runs_of(env_row.org_id, &[fingerprint('a')])
        .await
        .unwrap();
    let spans: Vec<(i64, Option<i64>, i64, f64)> = runs
        .iter()
        .map(|r| (r.from_idx, r.to_idx, r.replicas, r.from_at.seconds()))
        .collect();
    assert_eq!(spans, [(1, Some(2), 1, 10.0), (2, Some(4), 3, 20.0)]);
    assert_eq!(
        store.runs_changed(env_id, 2, 2).await.unwrap().len(),
        2,
        "scaled run closed and reopened at #2"
    );
    let during = |from, to| async move {
        let runs = store.runs_during(env_id, from, to).await.unwrap();
        runs.iter()
            .map(|r| (r.fingerprint.clone(), r.from_idx))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        during(1, 1).await,
        [(fingerprint('a'), 1)],
        "the run that was closed at #2 is open at #1"
    );
    assert_eq!(
        during(2, 3).await,
        [(fingerprint('a'), 2), (fingerprint('b'), 3)],
        "runs closed at #2 are not open during #2..#3"
    );
    assert!(
        during(4, 4).await.is_empty(),
        "nothing runs after the empty report"
    );
    assert_eq!(
        store.snapshot_at_time(env_id, at(25.0)).await.unwrap(),
        Some(2)
    );
    assert_eq!(store.snapshot_at_time(env_id, at(5.0)).await.unwrap(), None);
    let since = |t| async move { store.first_snapshot_since(env_id, at(t)).await.unwrap() };
    assert_eq!(since(25.0).await, Some(3), "the first taken after the time");
    assert_eq!(since(20.0).await, Some(2), "a snapshot taken at the time");
    assert_eq!(since(5.0).await, Some(1));
    assert_eq!(since(41.0).await, None, "none taken since");
    let listed = store
        .snapshots(
            env_id,
            1,
            4,
            true,
            Page {
                page: 1,
                per_page: 2,
            },
        )
        .await
        .unwrap();
    let listed: Vec<(i64, Option<f64>)> = listed
        .iter()
        .map(|s| (s.idx, s.next_at.map(Timestamp::seconds)))
        .collect();
    assert_eq!(listed, [(4, None), (3, Some(40.0))]);
    let found = store
        .running_fingerprints(env_row.org_id, &HexPrefix::parse("bbbbb").unwrap())
        .await
        .unwrap();
    assert_eq!(found, [fingerprint('b')]);
}

pub async fn concurrent_reports_get_contiguous_indexes(store: Arc<dyn Store>) {
    reports_race(&[store], "race-org").await;
}

/// Reports from several stores on one database (as several server processes
/// would send them) still get unique, contiguous indexes.
pub async fn concurrent_reports_from_several_processes(stores: &[Arc<dyn Store>]) {
    reports_race(stores, "processes-org").await;
}

async fn reports_race(stores: &[Arc<dyn Store>], org: &str) {
    let env_id = env(stores[0].as_ref(), org, "race").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = stores[i % stores.len()].clone();
        tasks.push(tokio::spawn(async move {
            let digest = format!("{:064x}", i + 1);
            let running = normalise(&[instance(&digest, i as i64)]).unwrap();
            store
                .record_report(
                    env_id,
                    custody_core::EnvironmentType::K8s,
                    at(100.0 + i as f64),
                    running,
                )
                .await
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            ReportOutcome::Created(i) => created.push(i),
            ReportOutcome::Unchanged(i) => panic!("every report differs, yet #{i} was unchanged"),
        }
    }
    created.sort_unstable();
    assert_eq!(
        created,
        (1..=16).collect::<Vec<i64>>(),
        "indexes are unique and contiguous"
    );
}
