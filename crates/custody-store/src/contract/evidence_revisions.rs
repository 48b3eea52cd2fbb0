//! Evidence revisions: every write that could change an artifact's compliance
//! (an attestation bound to it by id, by template name and trail or commit,
//! or about its trail; a new template of its flow or trail) moves that
//! artifact's revision and no other's.

use custody_core::ids::{FlowId, TrailId};

use super::{artifact_insert as artifact, at, fingerprint, flow_upsert};
use crate::{AttestationInsert, Store, TrailUpsert};

fn trail(name: &str, template: Option<&str>) -> TrailUpsert {
    TrailUpsert {
        name: name.into(),
        template: template.map(str::to_string),
        ..Default::default()
    }
}

fn attestation(flow_id: FlowId, trail_id: TrailId, n: u32) -> AttestationInsert {
    AttestationInsert {
        public_id: format!("revision-{n}"),
        flow_id,
        trail_id: Some(trail_id),
        artifact_id: None,
        target_artifact: None,
        commit_sha: None,
        name: format!("check-{n}"),
        kind: "generic".into(),
        is_compliant: true,
        control: None,
        payload: "{}".into(),
        created_at: at(4.0 + f64::from(n)),
    }
}

pub async fn evidence_revisions_follow_what_compliance_reads(store: &dyn Store) {
    let org = store.create_org("revisions-org", at(1.0)).await.unwrap();
    let (flow, _) = store
        .upsert_flow(org.id, &flow_upsert("svc"), at(1.0))
        .await
        .unwrap();
    let (first, _) = store
        .upsert_trail(flow.id, &trail("one", None), at(2.0))
        .await
        .unwrap();
    let (second, _) = store
        .upsert_trail(flow.id, &trail("two", None), at(2.0))
        .await
        .unwrap();
    let a = store
        .insert_artifact(&artifact(flow.id, first.id, 'a', "svc", "c1"))
        .await
        .unwrap();
    store
        .insert_artifact(&artifact(flow.id, second.id, 'b', "svc", "c1"))
        .await
        .unwrap();
    store
        .insert_artifact(&artifact(flow.id, second.id, 'd', "other", "c2"))
        .await
        .unwrap();
    let revisions = || async {
        let fps = [fingerprint('a'), fingerprint('b'), fingerprint('d')];
        let rows = store
            .artifacts_with_fingerprints(org.id, &fps)
            .await
            .unwrap();
        fps.iter()
            .map(|fp| {
                rows.iter()
                    .find(|r| &r.fingerprint == fp)
                    .unwrap()
                    .evidence_revision
            })
            .collect::<Vec<i64>>()
    };
    assert_eq!(revisions().await, [0, 0, 0], "new artifacts start at 0");
    let mut last = revisions().await;
    // Which of the three artifacts' revisions moved since it was last asked.
    let mut moved = async || {
        let now = revisions().await;
        let moved: Vec<bool> = now.iter().zip(&last).map(|(n, l)| n > l).collect();
        last = now;
        moved
    };

    let bound = AttestationInsert {
        artifact_id: Some(a),
        ..attestation(flow.id, first.id, 1)
    };
    store.insert_attestation(&bound).await.unwrap();
    assert_eq!(
        moved().await,
        [true, false, false],
        "bound by id: that artifact only"
    );

    let by_name = AttestationInsert {
        target_artifact: Some("svc".into()),
        commit_sha: Some("c1".into()),
        ..attestation(flow.id, first.id, 2)
    };
    store.insert_attestation(&by_name).await.unwrap();
    assert_eq!(
        moved().await,
        [true, true, false],
        "bound by template name: by trail, and by commit in another trail"
    );

    store
        .insert_attestation(&attestation(flow.id, second.id, 3))
        .await
        .unwrap();
    assert_eq!(
        moved().await,
        [false, true, true],
        "about a trail: its artifacts"
    );

    let templated = crate::FlowUpsert {
        template: Some("version: 1\n".into()),
        ..flow_upsert("svc")
    };
    store
        .upsert_flow(org.id, &templated, at(9.0))
        .await
        .unwrap();
    assert_eq!(
        moved().await,
        [true, true, true],
        "a flow template: every artifact of it"
    );
    store
        .upsert_flow(org.id, &templated, at(9.5))
        .await
        .unwrap();
    assert_eq!(
        moved().await,
        [false, false, false],
        "the same template again changes nothing"
    );

    store
        .upsert_trail(flow.id, &trail("one", Some("version: 1\n")), at(10.0))
        .await
        .unwrap();
    assert_eq!(
        moved().await,
        [true, false, false],
        "a trail template: that trail's artifacts"
    );
}
