//! The evidence vault's records: an attestation's attachment is found by the
//! attestation, at most one per attestation, and only for attestations that exist.

use crate::{AttestationInsert, EvidenceRow, FlowUpsert, Store, StoreError};

pub async fn evidence_is_recorded(store: &dyn Store) {
    let org = store.create_org("evidence-org", 1.0).await.unwrap();
    let upsert = FlowUpsert {
        name: "vault".into(),
        description: String::new(),
        visibility: "private".into(),
        template: None,
    };
    let (flow, _) = store.upsert_flow(org.id, &upsert, 1.0).await.unwrap();
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
        payload: "{}".into(),
        created_at: 2.0,
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
            .attach_evidence("ev-1", &evidence, 30.0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .attach_evidence("ev-none", &evidence, 30.0)
            .await
            .unwrap(),
        "no attachment for an attestation that does not exist"
    );
    let again = store.attach_evidence("ev-1", &evidence, 30.0).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "one attachment per attestation: {again:?}"
    );
    let other = store.attestation("ev-2").await.unwrap().unwrap();
    let found = store.evidence_of(&[row.id, other.id]).await.unwrap();
    assert_eq!(found, vec![evidence], "only the attested one has evidence");
    assert!(store.evidence_of(&[]).await.unwrap().is_empty());
}
