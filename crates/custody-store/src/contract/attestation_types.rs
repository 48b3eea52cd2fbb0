//! Custom attestation types: versions count up and never change, archiving hides
//! a type from the list, and types belong to one org.

use super::at;
use crate::{AttestationTypeInsert, Store};

fn insert(name: &str, rules: &str) -> AttestationTypeInsert {
    AttestationTypeInsert {
        name: name.to_string(),
        description: format!("{name} facts"),
        type_schema: None,
        jq_rules: rules.to_string(),
        summary: "[]".to_string(),
        created_by: "ci".to_string(),
    }
}

pub async fn attestation_types_are_versioned(store: &dyn Store) {
    let org = store.create_org("types-org", at(1.0)).await.unwrap();
    let other = store.create_org("types-other", at(1.0)).await.unwrap();
    let first = store
        .create_attestation_type(org.id, &insert("coverage", r#"[".ok"]"#), at(10.0))
        .await
        .unwrap();
    assert_eq!(first.versions, 1, "a new type starts at version 1");
    let mut v2 = insert("coverage", r#"[".ok", ".n > 1"]"#);
    v2.type_schema = Some(r#"{"type":"object"}"#.to_string());
    v2.description = "second".to_string();
    let second = store
        .create_attestation_type(org.id, &v2, at(20.0))
        .await
        .unwrap();
    assert_eq!(
        (second.id, second.versions, second.created_at.seconds()),
        (first.id, 2, 10.0),
        "re-creating a type adds a version to the same type"
    );
    assert_eq!(second.description, "second");
    let versions = store.attestation_type_versions(&[first.id]).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        (versions[0].version, versions[0].jq_rules.as_str()),
        (1, r#"[".ok"]"#),
        "earlier versions are kept unchanged"
    );
    assert_eq!(versions[0].type_schema, None);
    assert_eq!(
        versions[1].type_schema.as_deref(),
        Some(r#"{"type":"object"}"#)
    );
    assert_eq!(
        (
            versions[1].created_at.seconds(),
            versions[1].created_by.as_str()
        ),
        (20.0, "ci")
    );

    let alpha = store
        .create_attestation_type(org.id, &insert("alpha", "[]"), at(30.0))
        .await
        .unwrap();
    let both = store
        .attestation_type_versions(&[alpha.id, first.id])
        .await
        .unwrap();
    assert_eq!(
        both.iter()
            .map(|v| (v.type_id, v.version))
            .collect::<Vec<_>>(),
        [(first.id, 1), (first.id, 2), (alpha.id, 1)],
        "versions of several types come by type, then version"
    );
    let names =
        |rows: Vec<crate::AttestationTypeRow>| rows.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.attestation_types(org.id).await.unwrap()),
        ["alpha", "coverage"],
        "types are listed by name"
    );
    assert!(
        store.attestation_types(other.id).await.unwrap().is_empty(),
        "types belong to one org"
    );
    assert!(
        store
            .attestation_type(other.id, "coverage")
            .await
            .unwrap()
            .is_none()
    );

    store
        .archive_attestation_type(first.id, at(40.0))
        .await
        .unwrap();
    assert_eq!(
        names(store.attestation_types(org.id).await.unwrap()),
        ["alpha"],
        "archived types are not listed"
    );
    let archived = store.attestation_type(org.id, "coverage").await.unwrap();
    assert_eq!(archived.and_then(|t| t.archived_at), Some(at(40.0)));
    let revived = store
        .create_attestation_type(org.id, &insert("coverage", "[]"), at(50.0))
        .await
        .unwrap();
    assert_eq!(
        (revived.versions, revived.archived_at),
        (3, None),
        "re-creating an archived type restores it with a new version"
    );
}
