//! Shorthands for the requests most tests make: create a flow, an environment,
//! report an artifact, attest, report a snapshot. Each asserts it succeeded.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Api, ok};

/// A template: artifact `runner` needs `unit-test`, the trail needs `pr`.
pub const STRICT_TEMPLATE: &str = "version: 1
trail:
  attestations:
  - name: pr
    type: generic
  artifacts:
  - name: runner
    attestations:
    - name: unit-test
      type: generic
";

/// A template with no requirements: every artifact is compliant.
pub const EMPTY_TEMPLATE: &str = "version: 1\n";

/// Creates (or updates) a flow with a YAML template; returns the status.
pub async fn flow(api: &Api, name: &str, template: &str) -> u16 {
    let data = json!({"name": name, "description": format!("the {name} flow")});
    let reply = api
        .form(
            Method::PUT,
            "flows/acme/template_file",
            Some(data),
            &[("template_file", template)],
        )
        .await;
    reply.expect("create flow").0
}

/// Creates a K8S environment.
pub async fn environment(api: &Api, name: &str) {
    ok(
        api.put("environments/acme", json!({"name": name, "type": "K8S"}))
            .await,
        201,
    );
}

/// Reports an artifact to a flow (optionally in a trail, for a template name).
pub async fn artifact(
    api: &Api,
    flow: &str,
    fingerprint: &str,
    filename: &str,
    commit: &str,
    trail: Option<&str>,
    template_name: Option<&str>,
) -> Value {
    let body = json!({
        "fingerprint": fingerprint,
        "filename": filename,
        "git_commit": commit,
        "commit_url": format!("https://git.example/commit/{commit}"),
        "build_url": "https://ci.example/build/1",
        "trail_name": trail,
        "template_reference_name": template_name,
    });
    ok(api.post(&format!("artifacts/acme/{flow}"), body).await, 201)
}

/// Reports a generic attestation in a trail.
pub async fn attest(api: &Api, flow: &str, trail: &str, data: Value) -> Value {
    let path = format!("attestations/acme/{flow}/trail/{trail}/generic");
    ok(api.form(Method::POST, &path, Some(data), &[]).await, 201)
}

/// Reports what runs in a K8S environment: `(snapshot_index, new_snapshot)`.
pub async fn report(api: &Api, env: &str, pods: Vec<Value>) -> (i64, bool) {
    let path = format!("environments/acme/{env}/report/K8S");
    let body = ok(api.put(&path, json!({"artifacts": pods})).await, 200);
    (
        body["snapshot_index"].as_i64().expect("index"),
        body["new_snapshot"].as_bool().expect("flag"),
    )
}

/// The compliance `state` of the latest record of a fingerprint in a flow.
pub async fn state_of(api: &Api, flow: &str, fingerprint: &str) -> String {
    let doc = api
        .json(&format!("artifacts/acme/{flow}/fingerprint/{fingerprint}"))
        .await;
    doc["state"].as_str().expect("state").to_string()
}

/// The `compliance_state` of a trail.
pub async fn trail_state(api: &Api, flow: &str, trail: &str) -> String {
    let doc = api.json(&format!("trails/acme/{flow}/{trail}")).await;
    doc["compliance_state"]
        .as_str()
        .expect("compliance_state")
        .to_string()
}

/// The `event` texts of an artifact's history.
pub fn history(doc: &Value) -> Vec<(String, f64)> {
    doc["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| {
            (
                h["event"].as_str().expect("event").to_string(),
                h["timestamp"].as_f64().expect("time"),
            )
        })
        .collect()
}

/// Switches the org's beta features (controls) on, as its admin.
pub async fn beta(admin: &Api, org: &str) {
    let body = serde_json::json!({"experimental_features_enabled": true});
    let path = format!("organizations/{org}/experimental_features");
    crate::harness::ok(admin.put(&path, body).await, 200);
}
