//! Artifact histories: legacy evidence, legacy deployments (numbered per flow)
//! and runtime events (started, scaled, stopped), each line at its replayed
//! time.

use serde_json::json;

use crate::fixtures::{self, artifact, history, report, state_of};
use crate::harness::{T0, fails, fp, ok, pod, sha, start};
use custody_store::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread")]
async fn legacy_evidence_deployments_and_runtime_make_the_history() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    ok(
        m.put(
            "flows/acme",
            json!({"name": "legacy", "template": ["artifact", "branch-coverage"]}),
        )
        .await,
        201,
    );
    ok(
        m.put(
            "flows/acme",
            json!({"name": "second", "template": ["artifact"]}),
        )
        .await,
        201,
    );
    fixtures::environment(m, "env").await;
    let (fpl, fps) = (fp("1e9ac"), fp("5ec0d"));

    srv.at(T0 + 10.0);
    assert_eq!(
        artifact(m, "legacy", &fpl, "app:1", &sha("e1"), None, None).await["state"],
        "INCOMPLETE"
    );
    artifact(m, "second", &fps, "other:1", &sha("e2"), None, None).await;
    srv.at(T0 + 20.0);
    let evidence =
        json!({"artifact_fingerprint": fpl, "name": "branch-coverage", "description": "80%"});
    let att = ok(
        m.post("evidence/acme/artifact/legacy/generic", evidence)
            .await,
        201,
    );
    assert_eq!(
        (
            att["attestation_name"].as_str(),
            att["is_compliant"].as_bool()
        ),
        (Some("branch-coverage"), Some(true))
    );
    assert_eq!(state_of(m, "legacy", &fpl).await, "COMPLIANT");

    for (at, flow, fingerprint, number) in [
        (30.0, "legacy", &fpl, 1),
        (35.0, "legacy", &fpl, 2),
        (36.0, "second", &fps, 1),
    ] {
        srv.at(T0 + at);
        let body = json!({"artifact_fingerprint": fingerprint, "environment": "env"});
        let deployment = ok(m.post(&format!("deployments/acme/{flow}"), body).await, 201);
        assert_eq!(
            deployment["deployment_id"], number,
            "deployments are numbered per flow"
        );
    }
    assert_eq!(
        m.json("flows/acme/legacy").await["last_deployment_at"],
        T0 + 35.0
    );
    fails(
        m.post(
            "deployments/acme/legacy",
            json!({"artifact_fingerprint": fpl, "environment": "nope"}),
        )
        .await,
        404,
        "Environment named 'nope' does not exist for organization 'acme'",
    );

    srv.at(T0 + 40.0);
    assert_eq!(
        report(m, "env", vec![pod("p1", "app:1", &fpl, 1)]).await,
        (1, true)
    );
    srv.at(T0 + 50.0);
    let three = (1..=3)
        .map(|i| pod(&format!("p{i}"), "app:1", &fpl, i))
        .collect();
    assert_eq!(report(m, "env", three).await, (2, true));
    srv.at(T0 + 60.0);
    assert_eq!(report(m, "env", vec![]).await, (3, true));

    let doc = m
        .json(&format!("artifacts/acme/legacy/fingerprint/{fpl}"))
        .await;
    let expected = [
        ("Artifact created", T0 + 10.0),
        ("branch-coverage evidence received", T0 + 20.0),
        ("Deployment #1 to env environment", T0 + 30.0),
        ("Deployment #2 to env environment", T0 + 35.0),
        ("Started running in env#1 environment", T0 + 40.0),
        ("Scaled up from 1 to 3 in env#2 environment", T0 + 50.0),
        ("No longer running in env#3 environment", T0 + 60.0),
    ];
    let expected: Vec<(String, f64)> = expected.iter().map(|(e, t)| (e.to_string(), *t)).collect();
    assert_eq!(history(&doc), expected);
    assert_eq!(doc["running"], json!([]));
    assert_eq!(
        doc["exited"],
        json!([{"environment_name": "env", "snapshot_index": 3}])
    );
    srv.stop().await;
}
