//! Custom attestation types: versions on re-creation, reads by version, custom
//! attestations judged by schema and jq rules moving an artifact's state, and
//! the refusals (bad schema or rule, data breaking the schema, archived type).

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, artifact, state_of};
use crate::harness::{Api, T0, fails, fails_like, fp, ok, sha, start};
use custody_store::testing::TestDatabase;

const SCHEMA: &str = r#"{"type": "object", "required": ["line"],
  "properties": {"line": {"type": "number"}, "branch": {"type": "number"}}}"#;

const TEMPLATE: &str = "version: 1
trail:
  artifacts:
  - name: app
    attestations:
    - name: coverage
      type: custom:cov
";

async fn create(
    api: &Api,
    data: Value,
    schema: Option<&str>,
) -> Result<(u16, Value), (u16, String)> {
    let files: Vec<(&str, &str)> = schema.map(|s| ("type_schema", s)).into_iter().collect();
    api.form(
        Method::POST,
        "custom-attestation-types/acme",
        Some(data),
        &files,
    )
    .await
}

async fn attest_custom(
    api: &Api,
    fingerprint: &str,
    data: Value,
) -> Result<(u16, Value), (u16, String)> {
    let payload = json!({
        "attestation_name": "coverage",
        "artifact_fingerprint": fingerprint,
        "type_name": data["type"],
        "type_version": data["version"],
        "attestation_data": data["data"],
    });
    let path = "attestations/acme/svc/trail/t1/custom";
    api.form(Method::POST, path, Some(payload), &[]).await
}

fn rules(doc: &Value) -> Vec<usize> {
    doc["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["evaluator"]["rules"].as_array().map_or(0, Vec::len))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_types_are_versioned_and_judge_attestations() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    srv.at(T0);
    let v1 = json!({"name": "cov", "description": "coverage",
        "evaluator": {"content_type": "jq", "rules": [".line >= 80"]}});
    fails_like(
        create(&srv.reader, v1.clone(), Some(SCHEMA)).await,
        403,
        "the 'reader' role",
        "",
    );
    let doc = ok(create(m, v1, Some(SCHEMA)).await, 201);
    assert_eq!(
        (doc["latest_version"].as_i64(), doc["created_by"].as_str()),
        (Some(1), Some("member-sa"))
    );
    let v2 = json!({"name": "cov", "description": "coverage",
        "evaluator": {"content_type": "jq", "rules": [".line >= 80", ".branch >= 50"]},
        "summary": [{"name": "Lines", "expression": ".line"}]});
    assert_eq!(
        ok(create(m, v2, Some(SCHEMA)).await, 201)["latest_version"],
        2
    );
    let doc = srv.reader.json("custom-attestation-types/acme/cov").await;
    assert_eq!(rules(&doc), [1, 2], "every version is kept");
    assert_eq!(
        doc["versions"][0]["type_schema"]["required"],
        json!(["line"])
    );
    let first = srv
        .reader
        .json("custom-attestation-types/acme/cov?version=1")
        .await;
    assert_eq!(rules(&first), [1]);
    for field in ["created_by", "created_at", "last_modified_at"] {
        assert_eq!(
            first.get(field),
            None,
            "one version asked for has no {field}"
        );
    }
    assert!(doc["created_at"].is_number());
    fails_like(
        srv.reader
            .get("custom-attestation-types/acme/cov?version=9")
            .await,
        404,
        "version 9 does not exist for custom attestation type 'cov'",
        "",
    );
    let list = srv.reader.json("custom-attestation-types/acme").await;
    assert_eq!(
        (list[0]["name"].as_str(), list[0]["latest_version"].as_i64()),
        (Some("cov"), Some(2))
    );

    fails_like(
        create(
            m,
            json!({"name": "bad", "evaluator": {"content_type": "jq", "rules": [".a >="]}}),
            None,
        )
        .await,
        400,
        "invalid jq rule: '.a >=' is not a valid jq expression",
        "",
    );
    fails_like(
        create(m, json!({"name": "bad"}), Some(r#"{"type": "nonsense"}"#)).await,
        400,
        "invalid type schema: ",
        "",
    );
    fails_like(
        create(m, json!({"name": "-bad"}), None).await,
        400,
        "invalid attestation type name '-bad': it must match ^[a-zA-Z0-9][a-zA-Z0-9\\-_~]*$",
        "",
    );
    fails(
        srv.reader.get("custom-attestation-types/acme/bad").await,
        404,
        "Custom attestation type 'bad' does not exist for org 'acme'",
    );

    fixtures::flow(m, "svc", TEMPLATE).await;
    let fp1 = fp("c0ffe");
    artifact(m, "svc", &fp1, "app:1", &sha("ab"), Some("t1"), Some("app")).await;
    assert_eq!(state_of(m, "svc", &fp1).await, "INCOMPLETE");
    srv.at(T0 + 10.0);
    let low = json!({"type": "cov", "data": {"line": 90, "branch": 10}});
    let att = ok(attest_custom(m, &fp1, low).await, 201);
    assert_eq!(
        (
            att["attestation_type"].as_str(),
            att["is_compliant"].as_bool()
        ),
        (Some("custom:cov"), Some(false))
    );
    assert_eq!(
        att["summary"],
        json!([{"name": "Lines", "value": 90}]),
        "the type's summary, evaluated on the data"
    );
    let id = att["attestation_id"].as_str().expect("an id");
    let read = m
        .json(&format!("attestations/acme?attestation_id={id}"))
        .await;
    assert_eq!(
        read["data"][0]["failed_rules"],
        json!([".branch >= 50"]),
        "the rules that did not hold are kept with the attestation: {read}"
    );
    let spoofed = json!({"attestation_name": "g", "summary": [{"name": "Lines", "value": 100}],
                         "failed_rules": ["made up"]});
    let generic = "attestations/acme/svc/trail/t1/generic";
    let generic = ok(m.form(Method::POST, generic, Some(spoofed), &[]).await, 201);
    assert!(generic.get("summary").is_none(), "{generic}");
    let generic_id = generic["attestation_id"].as_str().expect("an id");
    let read = m
        .json(&format!("attestations/acme?attestation_id={generic_id}"))
        .await;
    assert!(read["data"][0].get("failed_rules").is_none(), "{read}");
    assert_eq!(state_of(m, "svc", &fp1).await, "NON-COMPLIANT");
    srv.at(T0 + 20.0);
    ok(
        attest_custom(
            m,
            &fp1,
            json!({"type": "cov", "data": {"line": 90, "branch": 60}}),
        )
        .await,
        201,
    );
    assert_eq!(state_of(m, "svc", &fp1).await, "COMPLIANT");
    let old_rules = json!({"type": "cov", "version": 1, "data": {"line": 90, "branch": 10}});
    let old = ok(attest_custom(m, &fp1, old_rules).await, 201);
    assert_eq!(old["is_compliant"], true, "version 1 has one rule");
    assert!(old.get("summary").is_none(), "version 1 has no summary");

    let before = m.json("trails/acme/svc/t1").await;
    srv.at(T0 + 30.0);
    fails_like(
        attest_custom(m, &fp1, json!({"type": "cov", "data": {"line": "most"}})).await,
        400,
        "attestation_data does not match the schema of custom attestation type 'cov' (version 2): /line: ",
        "number",
    );
    fails_like(
        attest_custom(
            m,
            &fp1,
            json!({"type": "cov", "data": {"line": 90, "branch": "x"}}),
        )
        .await,
        400,
        "attestation_data does not match",
        "/branch",
    );
    assert_eq!(
        m.json("trails/acme/svc/t1").await,
        before,
        "refused attestations are not stored"
    );
    assert_eq!(state_of(m, "svc", &fp1).await, "COMPLIANT");

    fails_like(
        srv.reader
            .call(
                Method::PUT,
                "custom-attestation-types/acme/cov/archive",
                custody_client::Body::None,
            )
            .await,
        403,
        "",
        "",
    );
    let archived = ok(
        m.put("custom-attestation-types/acme/cov/archive", Value::Null)
            .await,
        200,
    );
    assert_eq!(archived["archived"], true);
    fails(
        attest_custom(
            m,
            &fp1,
            json!({"type": "cov", "data": {"line": 99, "branch": 99}}),
        )
        .await,
        400,
        "custom attestation type 'cov' is archived: it cannot be used for new attestations",
    );
    assert_eq!(
        srv.reader.json("custom-attestation-types/acme").await,
        json!([])
    );
    srv.stop().await;
}
