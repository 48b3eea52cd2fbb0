//! The evidence vault's records: an attestation's attachment is found by the
//! attestation, at most one per attestation, and only for attestations that exist.

use custody_core::ids::OrgId;

use super::at;
use crate::{AttestationFilter, AttestationInsert, EvidenceRow, Store, StoreError};

pub async fn evidence_is_recorded(store: &dyn Store) {
    let (org, flow) = super::org_with_flow(store, "evidence-org", "vault").await;
    let attestation = |public_id: &str| AttestationInsert {
        public_id: public_id.into(),
        flow_id: flow.id,
        trail_id: None,
        artifact_id: None,
        target_artifact: None,
        commit_sha: None,
        name: "scan".into(),
        kind: "generic".into(),
        is_compliant: true,
        control: None,
        payload: "{}".into(),
        created_at: at(2.0),
    };
    store
        .insert_attestation(&attestation("ev-1"))
        .await
        .unwrap();
    store
        .insert_attestation(&attestation("ev-2"))
        .await
        .unwrap();
    let row = store
        .attestation("ev-1")
        .await
        .unwrap()
        .expect("found by public id");
    assert_eq!(row.name, "scan");
    assert!(store.attestation("ev-none").await.unwrap().is_none());
    let evidence = EvidenceRow {
        attestation_id: row.id,
        sha256: "ab".repeat(32),
        file_name: "evidence.tgz".into(),
        size: 42,
    };
    assert!(
        store
            .attach_evidence("ev-1", &evidence, at(30.0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .attach_evidence("ev-none", &evidence, at(30.0))
            .await
            .unwrap(),
        "no attachment for an attestation that does not exist"
    );
    let again = store.attach_evidence("ev-1", &evidence, at(30.0)).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "one attachment per attestation: {again:?}"
    );
    let other = store.attestation("ev-2").await.unwrap().unwrap();
    let found = store.evidence_of(&[row.id, other.id]).await.unwrap();
    assert_eq!(found, vec![evidence], "only the attested one has evidence");
    assert!(store.evidence_of(&[]).await.unwrap().is_empty());
    attestations_are_listed(store, org.id).await;
}

/// The org-wide list: filters, newest first, and a cursor that continues it.
async fn attestations_are_listed(store: &dyn Store, org_id: OrgId) {
    let all = AttestationFilter::default();
    let listed = store.org_attestations(org_id, &all, 10).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|a| a.row.public_id.as_str()).collect();
    assert_eq!(ids, ["ev-2", "ev-1"], "newest first");
    assert_eq!(listed[0].flow_name, "vault");
    let first = store.org_attestations(org_id, &all, 1).await.unwrap();
    let next = AttestationFilter {
        after_id: Some(first[0].row.id),
        ..AttestationFilter::default()
    };
    let second = store.org_attestations(org_id, &next, 1).await.unwrap();
    assert_eq!(
        second[0].row.public_id, "ev-1",
        "the cursor continues the list"
    );
    let by_id = AttestationFilter {
        public_id: Some("ev-1".into()),
        ..AttestationFilter::default()
    };
    assert_eq!(
        store
            .org_attestations(org_id, &by_id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let other_flow = AttestationFilter {
        flows: vec!["elsewhere".into()],
        ..AttestationFilter::default()
    };
    assert!(
        store
            .org_attestations(org_id, &other_flow, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let failing = AttestationFilter {
        is_compliant: Some(false),
        kinds: vec!["generic".into()],
        ..AttestationFilter::default()
    };
    assert!(
        store
            .org_attestations(org_id, &failing, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let other_org = store.create_org("evidence-other", at(1.0)).await.unwrap();
    let foreign = store
        .org_attestations(other_org.id, &all, 10)
        .await
        .unwrap();
    assert!(foreign.is_empty(), "another org sees none of them");
}
