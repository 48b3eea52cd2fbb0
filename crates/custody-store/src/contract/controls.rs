//! Controls: identifiers unique per org, each update a version, archive and
//! tag filters, and decisions found by the control they name.

use std::collections::BTreeMap;

use super::at;
use crate::{AttestationInsert, ControlContent, ControlFilter, Page, Store, StoreError};

const PAGE: Page = Page {
    page: 1,
    per_page: 10,
};

fn content(name: &str) -> ControlContent {
    ControlContent {
        name: name.into(),
        description: String::new(),
        links: "{}".into(),
    }
}

pub async fn controls_are_versioned_archived_and_decided(store: &dyn Store) {
    let (org, flow) = super::org_with_flow(store, "controls-org", "svc").await;
    let sox = store
        .create_control(org.id, "SOX-1", &content("Segregation"), at(1.0))
        .await
        .unwrap();
    store
        .create_control(org.id, "ISO-9", &content("Change review"), at(1.0))
        .await
        .unwrap();
    let again = store
        .create_control(org.id, "SOX-1", &content("x"), at(2.0))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    store
        .update_control(&sox, &content("Segregation of duties"), at(3.0))
        .await
        .unwrap();
    let now = store.control(org.id, "SOX-1").await.unwrap().unwrap();
    assert_eq!(
        (now.version, now.name.as_str()),
        (2, "Segregation of duties")
    );
    let versions = store.control_versions(sox.id).await.unwrap();
    let names: Vec<&str> = versions.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Segregation", "Segregation of duties"]);

    let search = |text: &str| ControlFilter {
        search: Some(text.into()),
        ..Default::default()
    };
    let (found, n) = store
        .controls(org.id, &search("DUTIES"), PAGE)
        .await
        .unwrap();
    assert_eq!(
        (found.len(), n, found[0].identifier.as_str()),
        (1, 1, "SOX-1")
    );
    let (all, _) = store
        .controls(org.id, &ControlFilter::default(), PAGE)
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.identifier.as_str()).collect();
    assert_eq!(ids, ["ISO-9", "SOX-1"], "by identifier");

    store
        .set_control_archived(sox.id, true, at(4.0))
        .await
        .unwrap();
    let (active, _) = store
        .controls(org.id, &ControlFilter::default(), PAGE)
        .await
        .unwrap();
    assert_eq!(active.len(), 1, "archived controls leave the list");
    let archived = ControlFilter {
        archived: true,
        ..Default::default()
    };
    let (gone, _) = store.controls(org.id, &archived, PAGE).await.unwrap();
    assert_eq!(gone[0].identifier, "SOX-1");
    store
        .set_control_archived(sox.id, false, at(5.0))
        .await
        .unwrap();

    let tags = BTreeMap::from([("team".to_string(), "risk".to_string())]);
    store
        .set_control_tags(sox.id, &tags, at(6.0))
        .await
        .unwrap();
    let tagged = ControlFilter {
        tags: vec![("team".into(), Some("risk".into()))],
        ..Default::default()
    };
    let (with_tag, _) = store.controls(org.id, &tagged, PAGE).await.unwrap();
    assert_eq!(with_tag.len(), 1);

    for (id, control) in [
        ("d-1", Some("SOX-1")),
        ("d-2", Some("ISO-9")),
        ("d-3", Some("SOX-1")),
        ("g-1", None),
    ] {
        let decision = AttestationInsert {
            public_id: id.into(),
            flow_id: flow.id,
            trail_id: None,
            artifact_id: None,
            target_artifact: None,
            commit_sha: None,
            name: "approval".into(),
            kind: "decision".into(),
            is_compliant: id != "d-3",
            control: control.map(String::from),
            payload: "{}".into(),
            created_at: at(7.0),
        };
        store.insert_attestation(&decision).await.unwrap();
    }
    let (decided, n) = store.decisions(org.id, "SOX-1", PAGE).await.unwrap();
    let ids: Vec<&str> = decided.iter().map(|d| d.public_id.as_str()).collect();
    assert_eq!((ids, n), (vec!["d-3", "d-1"], 2), "newest first");
    let other = store.create_org("controls-other", at(1.0)).await.unwrap();
    let (none, _) = store.decisions(other.id, "SOX-1", PAGE).await.unwrap();
    assert!(none.is_empty(), "decisions stay in their org");
}
