//! The behaviour every [`Store`] backend must show, as plain async functions so
//! each backend's tests run them against a fresh database. Each function panics
//! with a message naming the broken promise.

use std::sync::Arc;

use custody_core::HexPrefix;
use custody_core::report::normalise;
use serde_json::json;

use crate::{
    ArtifactInsert, AttestationInsert, DeploymentInsert, EnvironmentUpsert, FlowUpsert, Page,
    ReportOutcome, Store, TrailUpsert,
};

/// Every check, in order.
pub async fn run_all(store: Arc<dyn Store>) {
    orgs_and_keys(store.as_ref()).await;
    flows_and_trails(store.as_ref()).await;
    artifacts_and_attestations(store.as_ref()).await;
    snapshots_follow_changes(store.as_ref()).await;
    concurrent_reports_get_contiguous_indexes(store).await;
}

fn fp(c: char) -> String {
    c.to_string().repeat(64)
}

fn instance(digest: &str, created: i64) -> serde_json::Value {
    json!({"digests": {"app": digest}, "creationTimestamp": created})
}

pub async fn orgs_and_keys(store: &dyn Store) {
    let org = store.create_org("keys-org", 1.0).await.unwrap();
    let other = store.create_org("keys-other", 1.0).await.unwrap();
    assert!(
        store.create_org("keys-org", 2.0).await.is_err(),
        "org names are unique"
    );
    let sa = store
        .create_service_account(org.id, "ci", Some("CI"), "member", 1.0)
        .await
        .unwrap();
    store
        .create_api_key(sa.id, "k1", "hash-1", "first", 1.0, None)
        .await
        .unwrap();
    store
        .create_api_key(sa.id, "k2", "hash-2", "expiring", 1.0, Some(50.0))
        .await
        .unwrap();
    let p = store
        .principal("hash-1", 100.0)
        .await
        .unwrap()
        .expect("key found by hash");
    assert_eq!(
        (p.org_name.as_str(), p.role.as_str()),
        ("keys-org", "member")
    );
    assert!(
        store.principal("hash-2", 100.0).await.unwrap().is_none(),
        "expired keys are refused"
    );
    assert!(store.principal("hash-2", 10.0).await.unwrap().is_some());
    assert!(
        store
            .service_account(other.id, "ci")
            .await
            .unwrap()
            .is_none(),
        "accounts belong to one org"
    );
    store
        .update_service_account(sa.id, None, Some("reader"))
        .await
        .unwrap();
    let p = store.principal("hash-1", 1.0).await.unwrap().unwrap();
    assert_eq!(p.role, "reader", "role changes apply to existing keys");
    assert!(
        store
            .set_api_key_expiry(sa.id, "k1", Some(5.0))
            .await
            .unwrap()
    );
    assert!(store.principal("hash-1", 6.0).await.unwrap().is_none());
    assert!(store.delete_api_key(sa.id, "k2").await.unwrap());
    assert_eq!(store.api_keys(sa.id).await.unwrap().len(), 1);
    store.delete_service_account(sa.id).await.unwrap();
    assert!(store.service_accounts(org.id).await.unwrap().is_empty());
}

pub async fn flows_and_trails(store: &dyn Store) {
    let org = store.create_org("flows-org", 1.0).await.unwrap();
    let flow = |name: &str| FlowUpsert {
        name: name.into(),
        description: format!("{name} flow"),
        visibility: "private".into(),
        template: Some("version: 1\n".into()),
    };
    let (runner, created) = store
        .upsert_flow(org.id, &flow("runner"), 1.0)
        .await
        .unwrap();
    assert!(created);
    let (_, created) = store
        .upsert_flow(org.id, &flow("runner"), 2.0)
        .await
        .unwrap();
    assert!(!created, "a second create updates");
    store
        .upsert_flow(org.id, &flow("Differ"), 1.0)
        .await
        .unwrap();
    let (all, total) = store.flows(org.id, None, true, None).await.unwrap();
    assert_eq!((all.len(), total), (2, 2));
    let (found, _) = store.flows(org.id, Some("iff"), true, None).await.unwrap();
    assert_eq!(found.len(), 1);
    let (found, _) = store.flows(org.id, Some("DIFF"), true, None).await.unwrap();
    assert!(found.is_empty(), "case-sensitive search");
    let (found, _) = store
        .flows(org.id, Some("DIFF"), false, None)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "case-insensitive search");
    let (paged, total) = store
        .flows(
            org.id,
            None,
            true,
            Some(Page {
                page: 2,
                per_page: 1,
            }),
        )
        .await
        .unwrap();
    assert_eq!((paged[0].name.as_str(), total), ("runner", 2));
    store.archive_flow(runner.id, 3.0).await.unwrap();
    assert_eq!(
        store.flows(org.id, None, true, None).await.unwrap().1,
        1,
        "archived flows are not listed"
    );

    let begin = TrailUpsert {
        name: "t1".into(),
        description: Some("first".into()),
        ..TrailUpsert::default()
    };
    let (trail, created) = store.upsert_trail(runner.id, &begin, 5.0).await.unwrap();
    assert!(created && trail.description == "first");
    let update = TrailUpsert {
        name: "t1".into(),
        origin_url: Some("https://ci/1".into()),
        ..TrailUpsert::default()
    };
    let (trail, created) = store.upsert_trail(runner.id, &update, 6.0).await.unwrap();
    assert!(!created);
    assert_eq!(
        trail.description, "first",
        "omitted fields are kept on update"
    );
    assert_eq!(trail.origin_url.as_deref(), Some("https://ci/1"));
    let kinds: Vec<String> = store
        .trail_events(trail.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["trail_reported", "trail_updated"]);
    let (trails, total) = store
        .trails(
            org.id,
            Some(runner.id),
            None,
            Page {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!((trails.len(), total), (1, 1));
}

pub async fn artifacts_and_attestations(store: &dyn Store) {
    let org = store.create_org("artifacts-org", 1.0).await.unwrap();
    let upsert = FlowUpsert {
        name: "svc".into(),
        description: String::new(),
        visibility: "private".into(),
        template: None,
    };
    let (flow, _) = store.upsert_flow(org.id, &upsert, 1.0).await.unwrap();
    let (trail, _) = store
        .upsert_trail(
            flow.id,
            &TrailUpsert {
                name: "abc".into(),
                ..Default::default()
            },
            1.0,
        )
        .await
        .unwrap();
    let commit = "16d9990ad23a40eecaf087abac2a58a2d2a4b3f4".to_string();
    // An attestation for template artifact `svc` and this commit, before the artifact exists.
    let pending = AttestationInsert {
        public_id: "att-1".into(),
        flow_id: flow.id,
        trail_id: Some(trail.id),
        artifact_id: None,
        target_artifact: Some("svc".into()),
        commit_sha: Some(commit.clone()),
        name: "unit-test".into(),
        kind: "junit".into(),
        is_compliant: true,
        payload: "{}".into(),
        created_at: 2.0,
    };
    store.insert_attestation(&pending).await.unwrap();
    let artifact_id = store
        .insert_artifact(&ArtifactInsert {
            flow_id: flow.id,
            trail_id: Some(trail.id),
            fingerprint: fp('9'),
            filename: "svc:16d9990".into(),
            template_name: Some("svc".into()),
            git_commit: Some(commit.clone()),
            commit_url: None,
            build_url: None,
            repo_url: None,
            payload: "{}".into(),
            created_at: 3.0,
        })
        .await
        .unwrap();
    let by_fp = store
        .artifacts_by_fingerprint(org.id, None, &HexPrefix::parse("99999").unwrap())
        .await
        .unwrap();
    assert_eq!(by_fp.len(), 1);
    assert_eq!(
        (by_fp[0].flow_name.as_str(), by_fp[0].trail_name.as_deref()),
        ("svc", Some("abc"))
    );
    let by_commit = store
        .artifacts_by_commit(org.id, Some(flow.id), &HexPrefix::parse("16d9990").unwrap())
        .await
        .unwrap();
    assert_eq!(by_commit.len(), 1);
    assert!(
        store
            .artifacts_by_commit(org.id, None, &HexPrefix::parse("16d9991").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let atts = store.attestations_for(&by_fp).await.unwrap();
    assert_eq!(
        atts.len(),
        1,
        "pending attestations are found for the artifact"
    );
    let n1 = store
        .insert_deployment(&DeploymentInsert {
            flow_id: flow.id,
            artifact_id,
            environment: "beta".into(),
            description: None,
            build_url: None,
            user_data: "{}".into(),
            created_at: 4.0,
        })
        .await
        .unwrap();
    let n2 = store
        .insert_deployment(&DeploymentInsert {
            flow_id: flow.id,
            artifact_id,
            environment: "prod".into(),
            description: None,
            build_url: None,
            user_data: "{}".into(),
            created_at: 5.0,
        })
        .await
        .unwrap();
    assert_eq!((n1, n2), (1, 2), "deployments are numbered per flow");
    assert_eq!(store.deployments_of(&[artifact_id]).await.unwrap().len(), 2);
    assert_eq!(store.last_deployment_at(flow.id).await.unwrap(), Some(5.0));
    let (list, total) = store
        .artifacts(
            org.id,
            None,
            Page {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!((list.len(), total), (1, 1));
}

async fn env(store: &dyn Store, org: &str, name: &str) -> i64 {
    let org = store.create_org(org, 1.0).await.unwrap();
    let upsert = EnvironmentUpsert {
        name: name.into(),
        kind: "K8S".into(),
        description: String::new(),
        include_scaling: true,
    };
    store
        .upsert_environment(org.id, &upsert, 1.0)
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
            .record_report(env_id, "K8S", 10.0, report(&a1))
            .await
            .unwrap(),
        ReportOutcome::Created(1)
    );
    assert_eq!(
        store
            .record_report(env_id, "K8S", 11.0, report(&a1))
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
            .record_report(env_id, "K8S", 20.0, report(&a3))
            .await
            .unwrap(),
        ReportOutcome::Created(2),
        "scaling makes a snapshot"
    );
    let mut ab = a3.to_vec();
    ab.push(instance(&fp('b'), 4));
    assert_eq!(
        store
            .record_report(env_id, "K8S", 30.0, report(&ab))
            .await
            .unwrap(),
        ReportOutcome::Created(3)
    );
    assert_eq!(
        store
            .record_report(env_id, "K8S", 40.0, report(&[]))
            .await
            .unwrap(),
        ReportOutcome::Created(4)
    );

    let running_at = |runs: Vec<crate::RunRow>, idx: i64| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = runs
            .into_iter()
            .filter(|r| r.from_idx <= idx && r.to_idx.is_none_or(|t| t > idx))
            .map(|r| (r.fingerprint[..1].to_string(), r.replicas))
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
            env_row.last_reported_at,
            env_row.last_changed_at
        ),
        (4, Some(40.0), Some(40.0))
    );

    let runs = store.runs_of(env_row.org_id, &[fp('a')]).await.unwrap();
    let spans: Vec<(i64, Option<i64>, i64, f64)> = runs
        .iter()
        .map(|r| (r.from_idx, r.to_idx, r.replicas, r.from_at))
        .collect();
    assert_eq!(spans, [(1, Some(2), 1, 10.0), (2, Some(4), 3, 20.0)]);
    assert_eq!(
        store.runs_changed(env_id, 2, 2).await.unwrap().len(),
        2,
        "scaled run closed and reopened at #2"
    );
    assert_eq!(store.snapshot_at_time(env_id, 25.0).await.unwrap(), Some(2));
    assert_eq!(store.snapshot_at_time(env_id, 5.0).await.unwrap(), None);
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
    let listed: Vec<(i64, Option<f64>)> = listed.iter().map(|s| (s.idx, s.next_at)).collect();
    assert_eq!(listed, [(4, None), (3, Some(40.0))]);
    let found = store
        .running_fingerprints(env_row.org_id, &HexPrefix::parse("bbbbb").unwrap())
        .await
        .unwrap();
    assert_eq!(found, [fp('b')]);
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
                .record_report(env_id, "K8S", 100.0 + i as f64, running)
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
