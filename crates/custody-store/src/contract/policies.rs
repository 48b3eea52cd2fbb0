//! Policies are versioned only on change; attaching and detaching append a
//! snapshot sharing the running set; allow-lists are per environment.

use custody_core::ids::PolicyId;
use custody_core::report::normalise;

use super::{at, fingerprint, fp, instance};
use crate::{EnvironmentUpsert, PolicyInsert, PolicyWrite, ReportOutcome, Store};

fn policy(content: &str) -> PolicyInsert {
    PolicyInsert {
        name: "prov".into(),
        description: "needs provenance".into(),
        kind: "env".into(),
        content: content.into(),
        comment: String::new(),
    }
}

pub async fn policies_attach_and_allow(store: &dyn Store) {
    let org = store.create_org("policy-org", at(1.0)).await.unwrap();
    let (p, write) = store
        .put_policy(org.id, &policy("a: 1"), at(2.0))
        .await
        .unwrap();
    assert_eq!((write, p.latest_version), (PolicyWrite::Created, 1));
    let (_, write) = store
        .put_policy(org.id, &policy("a: 1"), at(3.0))
        .await
        .unwrap();
    assert_eq!(
        write,
        PolicyWrite::Unchanged,
        "same content adds no version"
    );
    let (p, write) = store
        .put_policy(org.id, &policy("a: 2"), at(4.0))
        .await
        .unwrap();
    assert_eq!((write, p.latest_version), (PolicyWrite::Updated, 2));
    let versions = store.policy_versions(&[p.id]).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(versions[0].content, "a: 1", "versions are immutable");
    assert_eq!(store.policies(org.id).await.unwrap().len(), 1);

    let upsert = EnvironmentUpsert {
        name: "prod".into(),
        kind: custody_core::EnvironmentType::K8s,
        description: String::new(),
        include_scaling: true,
    };
    let env = store
        .upsert_environment(org.id, &upsert, at(1.0))
        .await
        .unwrap()
        .0;
    let running = normalise(&[instance(&fp('a'), 1)]).unwrap();
    assert_eq!(
        store
            .record_report(
                env.id,
                custody_core::EnvironmentType::K8s,
                at(10.0),
                running.clone()
            )
            .await
            .unwrap(),
        ReportOutcome::Created(1)
    );
    let attached = store
        .set_attachment(env.id, &[p.id], true, at(20.0))
        .await
        .unwrap();
    assert_eq!(attached, Some(2), "attaching appends a snapshot");
    assert_eq!(
        store
            .set_attachment(env.id, &[p.id], true, at(21.0))
            .await
            .unwrap(),
        None
    );
    let snap = store.snapshot(env.id, 2).await.unwrap().unwrap();
    assert_eq!(
        (snap.kind.as_str(), snap.created_at.seconds()),
        ("K8S", 20.0)
    );
    let runs = store.runs_at(env.id, 2).await.unwrap();
    assert_eq!(runs.len(), 1, "the running set is shared");
    assert_eq!((runs[0].from_idx, runs[0].to_idx), (1, None));
    assert!(store.runs_changed(env.id, 2, 2).await.unwrap().is_empty());
    assert_eq!(
        store
            .record_report(
                env.id,
                custody_core::EnvironmentType::K8s,
                at(30.0),
                running
            )
            .await
            .unwrap(),
        ReportOutcome::Unchanged(2),
        "a re-evaluation snapshot is the latest state"
    );
    assert_eq!(
        store.policies_at(env.id, 1).await.unwrap(),
        Vec::<PolicyId>::new()
    );
    assert_eq!(store.policies_at(env.id, 2).await.unwrap(), [p.id]);
    let on = store.attachments(&[p.id]).await.unwrap();
    assert_eq!(on, [(p.id, "prod".to_string())]);
    assert_eq!(
        store
            .set_attachment(env.id, &[p.id], false, at(40.0))
            .await
            .unwrap(),
        Some(3)
    );
    assert_eq!(
        store.policies_at(env.id, 2).await.unwrap(),
        [p.id],
        "history is kept"
    );
    assert!(store.policies_at(env.id, 3).await.unwrap().is_empty());
    assert_eq!(
        store.policy_spans(env.id, 1, 3).await.unwrap(),
        [(p.id, 2, Some(3))],
        "attached at #2, detached at #3"
    );
    assert!(store.policy_spans(env.id, 3, 3).await.unwrap().is_empty());
    assert!(store.policy_spans(env.id, 1, 1).await.unwrap().is_empty());
    assert!(store.attachments(&[p.id]).await.unwrap().is_empty());

    store
        .allow_artifact(env.id, &fingerprint('c'), "nginx", "vendor", at(50.0))
        .await
        .unwrap();
    let allowed = store.allowlist(&[env.id]).await.unwrap();
    assert_eq!(allowed.len(), 1);
    assert_eq!(
        (allowed[0].fingerprint.as_str(), allowed[0].reason.as_str()),
        (fp('c').as_str(), "vendor")
    );
}
