//! Controls (beta) through the API: versions on update, decisions recorded by
//! `decision` attestations and listed per control with their trails, the
//! policies that require a decision and the environments they cover, and
//! what readers, writers and other orgs may do.

use custody_client::Body;
use reqwest::Method;
use serde_json::json;

use crate::fixtures::{self, EMPTY_TEMPLATE, artifact};
use crate::harness::{fails_like, fp, ok, sha, start};
use crate::policies::put_policy;
use custody_store::testing::TestDatabase;

#[tokio::test]
async fn decisions_and_coverage_are_read_per_control() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    let create = json!({"identifier": "SOX-1", "name": "Segregation",
                        "links": {"wiki": "https://wiki.example/sox-1"}});
    fails_like(
        m.call(Method::POST, "controls/acme", Body::Json(create.clone()))
            .await,
        403,
        "Controls are a beta feature, not enabled for organization 'acme'",
        "custody enable beta",
    );
    let beta = Body::Json(json!({"experimental_features_enabled": true}));
    ok(
        srv.admin
            .call(
                Method::PUT,
                "organizations/acme/experimental_features",
                beta,
            )
            .await,
        200,
    );
    let made = ok(
        m.call(Method::POST, "controls/acme", Body::Json(create.clone()))
            .await,
        201,
    );
    assert_eq!(
        (made["version"].clone(), made["archived"].clone()),
        (json!(1), json!(false))
    );
    fails_like(
        m.call(Method::POST, "controls/acme", Body::Json(create))
            .await,
        409,
        "A control with identifier 'SOX-1' already exists",
        "",
    );
    let update = Body::Json(json!({"description": "two people sign"}));
    let updated = ok(
        m.call(Method::PUT, "controls/acme/SOX-1", update).await,
        200,
    );
    assert_eq!(
        (
            updated["version"].clone(),
            updated["name"].clone(),
            updated["links"]["wiki"].clone()
        ),
        (
            json!(2),
            json!("Segregation"),
            json!("https://wiki.example/sox-1")
        ),
        "an update keeps what it does not change"
    );
    let huge = Body::Json(json!({"description": "x".repeat(70_000)}));
    fails_like(
        m.call(Method::PUT, "controls/acme/SOX-1", huge).await,
        400,
        "the control is ",
        "the limit is 65536",
    );
    let versions = m.json("controls/acme/SOX-1/versions").await;
    assert_eq!(
        versions.as_array().unwrap().len(),
        2,
        "a refused update keeps no version"
    );
    assert_eq!(versions[0]["description"], "", "the first version is kept");

    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    let fpa = fp("c1");
    artifact(m, "ci", &fpa, "app:1", &sha("a"), Some("t1"), None).await;
    for (name, compliant) in [("first-look", false), ("sign-off", true)] {
        let data = json!({"attestation_name": name, "artifact_fingerprint": fpa,
            "type_name": "decision", "control": "SOX-1",
            "attestation_data": {"is_compliant": compliant}});
        let path = "attestations/acme/ci/trail/t1/system";
        ok(m.form(Method::POST, path, Some(data), &[]).await, 201);
    }
    let unknown = json!({"attestation_name": "sign-off", "artifact_fingerprint": fpa,
        "type_name": "decision", "control": "NO-SUCH", "attestation_data": {"is_compliant": true}});
    let path = "attestations/acme/ci/trail/t-unknown/system";
    fails_like(
        m.form(Method::POST, path, Some(unknown), &[]).await,
        404,
        "Control 'NO-SUCH' does not exist in organization 'acme'",
        "",
    );
    assert!(
        m.call(Method::GET, "trails/acme/ci/t-unknown", Body::None)
            .await
            .is_err(),
        "a refused decision begins no trail"
    );
    let decisions = m.json("controls/acme/SOX-1/decisions").await;
    assert_eq!(decisions["total_count"], 2);
    let newest = &decisions["decisions"][0];
    assert_eq!(
        (
            newest["attestation_name"].clone(),
            newest["is_compliant"].clone(),
            newest["flow_name"].clone(),
            newest["trail_name"].clone()
        ),
        (json!("sign-off"), json!(true), json!("ci"), json!("t1"))
    );

    let policy = "_schema: https://kosli.com/schemas/policy/environment/v1\nartifacts:\n  \
        attestations:\n    - name: \"*\"\n      type: decision\n      for_control: SOX-1\n";
    ok(put_policy(m, "sox", policy).await, 201);
    fixtures::environment(m, "prod").await;
    fixtures::environment(m, "dev").await;
    let attach = Body::Json(json!({"policy_names": ["sox"]}));
    ok(
        m.call(Method::POST, "environments/acme/prod/policies", attach)
            .await,
        200,
    );
    let got = m.json("controls/acme/SOX-1").await;
    assert_eq!(got["policies_referencing"], json!(["sox"]));
    let coverage = m.json("controls/acme/SOX-1/coverage").await;
    assert_eq!(
        (
            coverage["covered_count"].clone(),
            coverage["total_count"].clone()
        ),
        (json!(1), json!(2))
    );
    let prod = coverage["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["environment"] == "prod")
        .unwrap();
    assert_eq!(
        (prod["covered"].clone(), prod["policies"].clone()),
        (json!(true), json!(["sox"]))
    );
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["environment"].as_str().unwrap().to_string())
            .collect()
    };
    let uncovered = m.json("controls/acme/SOX-1/coverage?covered=false").await;
    assert_eq!(names(&uncovered), ["dev"]);
    let searched = m.json("controls/acme/SOX-1/coverage?search=PRO").await;
    assert_eq!(names(&searched), ["prod"]);
    assert_eq!(
        (
            searched["covered_count"].clone(),
            searched["total_count"].clone()
        ),
        (json!(1), json!(1))
    );
    let second = m
        .json("controls/acme/SOX-1/coverage?page=2&per_page=1")
        .await;
    assert_eq!(
        (
            names(&second).len(),
            second["page"].clone(),
            second["total_pages"].clone()
        ),
        (1, json!(2), json!(2))
    );
    fails_like(
        m.call(
            Method::GET,
            "controls/acme/SOX-1/coverage?per_page=101",
            Body::None,
        )
        .await,
        400,
        "per_page must be between 1 and 100",
        "",
    );

    let tag = Body::Json(json!({"set_tags": {"team": "risk"}}));
    ok(
        m.call(Method::PATCH, "tags/acme/control/SOX-1", tag).await,
        200,
    );
    let listed = m.json("controls/acme?tag=team:risk").await;
    assert_eq!(listed["controls"][0]["tags"]["team"], "risk");

    let refused = srv
        .reader
        .call(Method::POST, "controls/acme/SOX-1/archive", Body::None)
        .await;
    fails_like(refused, 403, "", "");
    let elsewhere = srv
        .other
        .call(Method::GET, "controls/acme/SOX-1", Body::None)
        .await;
    assert!(
        elsewhere.is_err(),
        "another org's key reads nothing: {elsewhere:?}"
    );
    let archived = ok(
        m.call(Method::POST, "controls/acme/SOX-1/archive", Body::None)
            .await,
        200,
    );
    assert_eq!(archived["archived"], true);
    assert_eq!(m.json("controls/acme").await["total_count"], 0);
    srv.stop().await;
}
