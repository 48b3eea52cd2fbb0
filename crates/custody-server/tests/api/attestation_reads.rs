//! Reading attestations by name, as Kosli answers it: a plain list of every
//! attestation of the name on a trail or about an artifact, newest first, empty (200)
//! when the trail or artifact has none of that name; a missing flow, trail or
//! artifact is a 404 in Kosli's words.

use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, artifact, attest};
use crate::harness::{fails, fp, sha, start};
use custody_store::testing::TestDatabase;

#[tokio::test]
async fn reads_by_name_are_lists_empty_when_nothing_matches() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    let fp1 = fp("c0ffee");
    artifact(m, "ci", &fp1, "app:1", &sha("c1"), Some("t1"), None).await;
    for compliant in [false, true] {
        let data = json!({"attestation_name": "lint", "artifact_fingerprint": fp1,
            "is_compliant": compliant});
        attest(m, "ci", "t1", data).await;
    }
    attest(m, "ci", "t1", json!({"attestation_name": "pr"})).await;

    let on_trail = "attestations/acme/ci/trail/t1".to_string();
    let on_artifact = format!("attestations/acme/ci/artifact/{fp1}");
    for base in [&on_trail, &on_artifact] {
        let latest = m.json(&format!("{base}/lint")).await;
        let list = latest.as_array().unwrap_or_else(|| panic!("{latest}"));
        assert_eq!(list.len(), 2, "both of the name: {latest}");
        assert!(
            list.iter().all(|a| a["attestation_name"] == "lint"),
            "{latest}"
        );
        assert_eq!(list[0]["is_compliant"], true, "the newest first: {latest}");
        assert_eq!(list[1]["is_compliant"], false, "{latest}");
        assert!(
            list.iter()
                .all(|a| a["artifact_fingerprint"] == fp1.as_str()),
            "{latest}"
        );
        assert_ne!(list[0]["attestation_id"], list[1]["attestation_id"]);
        assert_eq!(m.json(&format!("{base}/nothing")).await, json!([]));
    }
    let pr = m.json(&format!("{on_trail}/pr")).await;
    assert_eq!(pr[0]["artifact_fingerprint"], Value::Null, "{pr}");
    assert_eq!(
        m.json(&format!("{on_artifact}/pr")).await,
        json!([]),
        "a trail attestation is not about the artifact"
    );

    fails(
        m.get("attestations/acme/ci/trail/t2/lint").await,
        404,
        "Trail with name 't2' does not exist for Organization 'acme' and Flow 'ci'",
    );
    fails(
        m.get("attestations/acme/cd/trail/t1/lint").await,
        404,
        "Flow named 'cd' does not exist for organization 'acme'",
    );
    let other = fp("bad");
    fails(
        m.get(&format!("attestations/acme/ci/artifact/{other}/lint"))
            .await,
        404,
        &format!(
            "Artifact with fingerprint '{other}' does not exist in flow 'ci' belonging to organization 'acme'"
        ),
    );
    srv.stop().await;
}
