//! Artifacts and compliance: a template's artifact and trail attestations
//! moving an artifact through INCOMPLETE, NON-COMPLIANT and COMPLIANT; an
//! attestation reported before its artifact; lookups by fingerprint and commit
//! prefix; attestation documents keeping their type-specific results.

use reqwest::Method;
use serde_json::json;

use crate::fixtures::{
    self, EMPTY_TEMPLATE, STRICT_TEMPLATE, artifact, attest, history, state_of, trail_state,
};
use crate::harness::{T0, TestServer, fails, fp, ok, sha, start};
use custody_store::testing::TestDatabase;

/// The compliance walk of one artifact in trail `t1` of flow `runner`.
pub async fn compliance_scenario(srv: &TestServer) {
    let m = &srv.member;
    let fp1 = fp("a1b2c");
    fixtures::flow(m, "runner", STRICT_TEMPLATE).await;

    srv.at(T0 + 10.0);
    let doc = artifact(
        m,
        "runner",
        &fp1,
        "runner:1.0",
        &sha("c1"),
        Some("t1"),
        Some("runner"),
    )
    .await;
    assert_eq!(doc["state"], "INCOMPLETE");
    assert_eq!(doc["trail_name"], "t1", "the trail is begun by the report");
    let statuses: Vec<(&str, &str)> = doc["compliance_status"]["attestations_statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|s| {
            (
                s["attestation_name"].as_str().expect("name"),
                s["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(statuses, [("unit-test", "MISSING"), ("pr", "MISSING")]);
    assert_eq!(trail_state(m, "runner", "t1").await, "INCOMPLETE");

    srv.at(T0 + 20.0);
    let failed = json!({"attestation_name": "unit-test", "artifact_fingerprint": fp1, "is_compliant": false});
    let att = attest(m, "runner", "t1", failed).await;
    assert_eq!(
        (
            att["attestation_type"].as_str(),
            att["is_compliant"].as_bool()
        ),
        (Some("generic"), Some(false))
    );
    assert_eq!(att["artifact_fingerprint"], fp1.as_str());
    assert_eq!(state_of(m, "runner", &fp1).await, "NON-COMPLIANT");
    assert_eq!(trail_state(m, "runner", "t1").await, "NON-COMPLIANT");

    srv.at(T0 + 30.0);
    attest(
        m,
        "runner",
        "t1",
        json!({"attestation_name": "unit-test", "artifact_fingerprint": fp1}),
    )
    .await;
    assert_eq!(
        state_of(m, "runner", &fp1).await,
        "INCOMPLETE",
        "the later, compliant one counts; pr is missing"
    );
    assert_eq!(trail_state(m, "runner", "t1").await, "INCOMPLETE");

    srv.at(T0 + 40.0);
    attest(m, "runner", "t1", json!({"attestation_name": "pr"})).await;
    assert_eq!(state_of(m, "runner", &fp1).await, "COMPLIANT");
    let trail = m.json("trails/acme/runner/t1").await;
    assert_eq!(
        (
            trail["compliance_state"].as_str(),
            trail["is_compliant"].as_bool()
        ),
        (Some("COMPLIANT"), Some(true))
    );

    let doc = m
        .json(&format!("artifacts/acme/runner/fingerprint/{fp1}"))
        .await;
    let expected = [
        ("Artifact created".to_string(), T0 + 10.0),
        ("unit-test evidence received".to_string(), T0 + 20.0),
        ("unit-test evidence received".to_string(), T0 + 30.0),
    ];
    assert_eq!(
        history(&doc),
        expected,
        "trail attestations are not the artifact's evidence"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn artifact_compliance_follows_the_template() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    compliance_scenario(&srv).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attestation_reported_before_its_artifact_counts_and_prefixes_find_artifacts() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    let only_artifacts = "version: 1\ntrail:\n  artifacts:\n  - name: runner\n    attestations:\n    - {name: unit-test, type: generic}\n";
    fixtures::flow(m, "runner", only_artifacts).await;
    let (fp2, fp3, commit2, commit3) = (fp("b2c3d"), fp("b2c3e"), sha("d00d2"), sha("d00d3"));

    srv.at(T0 + 50.0);
    let pending = json!({"attestation_name": "unit-test", "target_artifacts": ["runner"],
                         "git_commit_info": {"sha1": commit2}, "is_compliant": true});
    let att = attest(m, "runner", "t2", pending).await;
    assert_eq!(att["target_artifacts"], json!(["runner"]));
    assert_eq!(att["artifact_fingerprint"], serde_json::Value::Null);

    srv.at(T0 + 60.0);
    let doc = artifact(
        m,
        "runner",
        &fp2,
        "runner:2.0",
        &commit2,
        None,
        Some("runner"),
    )
    .await;
    assert_eq!(
        doc["state"], "COMPLIANT",
        "the earlier attestation for runner@commit binds"
    );
    let expected = [
        ("unit-test evidence received".to_string(), T0 + 50.0),
        ("Artifact created".to_string(), T0 + 60.0),
    ];
    assert_eq!(history(&doc), expected);
    let control = artifact(
        m,
        "runner",
        &fp3,
        "runner:3.0",
        &commit3,
        None,
        Some("runner"),
    )
    .await;
    assert_eq!(
        control["state"], "INCOMPLETE",
        "another commit has no unit-test"
    );

    let by_prefix = m
        .json(&format!("artifacts/acme/runner/fingerprint/{}", &fp2[..5]))
        .await;
    assert_eq!(
        (
            by_prefix["fingerprint"].as_str(),
            by_prefix["filename"].as_str()
        ),
        (Some(fp2.as_str()), Some("runner:2.0"))
    );
    fails(
        m.get("artifacts/acme/runner/fingerprint/b2c3").await,
        400,
        "'b2c3' is not a valid hex prefix: give at least 5 of the characters 0-9 a-f",
    );
    fails(
        m.get("artifacts/acme/runner/fingerprint/fffff").await,
        404,
        "Artifact with fingerprint 'fffff' does not exist in flow 'runner' belonging to organization 'acme'",
    );
    let by_commit = m
        .json(&format!(
            "artifacts/acme/runner/commit_sha/{}",
            &commit3[..7]
        ))
        .await;
    let fps: Vec<&str> = by_commit
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["fingerprint"].as_str().expect("fp"))
        .collect();
    assert_eq!(fps, [fp3.as_str()]);
    fails(
        m.get("artifacts/acme/runner/commit_sha/0badc0de").await,
        404,
        "No artifacts with git commit '0badc0de' exist in flow 'runner' belonging to organization 'acme'",
    );
    let listed = m.json("artifacts/acme?flow_name=runner").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    srv.stop().await;
}

#[tokio::test]
async fn attestation_documents_keep_their_type_specific_results() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    let fp1 = fp("f00d");
    artifact(m, "ci", &fp1, "app:1", &sha("f1"), Some("t1"), None).await;
    let results = json!([{"name": "suite", "tests": 3, "failures": 0, "errors": 0}]);
    let data = json!({"attestation_name": "unit-test", "artifact_fingerprint": fp1,
        "junit_results": results, "is_compliant": false});
    let path = "attestations/acme/ci/trail/t1/junit";
    ok(m.form(Method::POST, path, Some(data), &[]).await, 201);
    for path in [
        "attestations/acme/ci/trail/t1/unit-test".to_string(),
        format!("attestations/acme/ci/artifact/{fp1}/unit-test"),
    ] {
        let doc = &m.json(&path).await[0];
        assert_eq!(doc["junit_results"], results, "{path}");
        assert_eq!(doc["attestation_type"], "junit");
        assert_eq!(doc["is_compliant"], true, "the server's verdict wins");
        assert_eq!(doc["artifact_fingerprint"], fp1.as_str());
    }
    srv.stop().await;
}
