//! Artifacts, attestations (also pending ones) and legacy deployments.

use custody_core::HexPrefix;

use super::at;
use crate::{
    ArtifactInsert, ArtifactScope, AttestationInsert, DeploymentInsert, Page, Store, TrailUpsert,
};

pub async fn artifacts_and_attestations(store: &dyn Store) {
    let (org, flow) = super::org_with_flow(store, "artifacts-org", "svc").await;
    let (trail, _) = store
        .upsert_trail(
            flow.id,
            &TrailUpsert {
                name: "abc".into(),
                ..Default::default()
            },
            at(1.0),
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
        control: None,
        payload: "{}".into(),
        created_at: at(2.0),
    };
    store.insert_attestation(&pending).await.unwrap();
    let artifact_id = store
        .insert_artifact(&ArtifactInsert {
            filename: "svc:16d9990".into(),
            ..super::artifact_insert(flow.id, trail.id, '9', "svc", &commit)
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
            created_at: at(4.0),
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
            created_at: at(5.0),
        })
        .await
        .unwrap();
    assert_eq!((n1, n2), (1, 2), "deployments are numbered per flow");
    assert_eq!(store.deployments_of(&[artifact_id]).await.unwrap().len(), 2);
    assert_eq!(
        store.last_deployment_at(flow.id).await.unwrap(),
        Some(at(5.0))
    );
    let (list, total) = store
        .artifacts(
            org.id,
            &ArtifactScope::Org,
            Page {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!((list.len(), total), (1, 1));
}
