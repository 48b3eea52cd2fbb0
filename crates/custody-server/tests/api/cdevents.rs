//! CDEvents conformance: every CDEvent the server sends to a `CDEVENTS`
//! target — from artifact reports, JUnit attestations and snapshots that
//! deploy, upgrade, roll back and remove a service — validates against the official CDEvents
//! 0.4.1 JSON schemas vendored in `tests/data/cdevents/` (formats checked),
//! and arrives as a CloudEvent in binary mode whose `ce-` headers are the
//! event's context.

use std::path::PathBuf;

use jsonschema::{Retrieve, Uri};
use reqwest::Method;
use serde_json::{Value, json};

use crate::actions::{delivering, setup};
use crate::fixtures;
use crate::harness::{T0, TestServer, fp, ok, pod, sha, start_with};
use crate::receiver::Receiver;
use custody_store::testing::TestDatabase;

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/cdevents/0.4.1")
}

/// The vendored link schemas the event schemas `$ref`, by their `$id`.
struct Vendored;

impl Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix("https://cdevents.dev/0.4.1/schema/links/")
            .ok_or_else(|| format!("{} is not a vendored schema", uri.as_str()))?;
        let text = std::fs::read_to_string(schemas().join("links").join(format!("{name}.json")))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// The errors of an event against the schema its type names.
fn violations(event: &Value) -> Vec<String> {
    let kind = event["context"]["type"].as_str().unwrap_or_default();
    let words: Vec<&str> = kind
        .trim_start_matches("dev.cdevents.")
        .split('.')
        .collect();
    let file = schemas().join(format!("{}{}.json", words[0], words[1]));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Vendored)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    validator
        .iter_errors(event)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

async fn action(srv: &TestServer, path: &str, body: Value) {
    ok(
        srv.member.put(&format!("actions/acme/{path}"), body).await,
        201,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_cdevent_sent_validates_against_the_official_schemas() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, delivering).await;
    let sink = Receiver::start(&[]).await;
    setup(&srv).await;
    let target = json!([{"type": "CDEVENTS", "webhook": sink.url}]);
    action(
        &srv,
        "flows",
        json!({"name": "cd-flow", "flows": ["app"],
        "triggers": ["ON_ATTESTED_PROVENANCE"], "targets": target}),
    )
    .await;
    action(
        &srv,
        "environments",
        json!({"name": "cd-env", "environments": ["prod"],
        "triggers": ["ON_STARTED_ARTIFACT"], "targets": target}),
    )
    .await;
    fixtures::artifact(
        &srv.member,
        "app",
        &fp("b2"),
        "app:2",
        &sha("c2"),
        None,
        None,
    )
    .await;
    let trail = Some(json!({"name": "t1"}));
    ok(
        srv.member
            .form(Method::PUT, "trails/acme/app", trail, &[])
            .await,
        201,
    );
    for (name, failures) in [("unit", 0), ("e2e", 2)] {
        let results = json!([{"name": "suite", "tests": 3, "failures": failures, "errors": 0}]);
        let data = json!({"attestation_name": name, "junit_results": results});
        let path = "attestations/acme/app/trail/t1/junit";
        ok(
            srv.member.form(Method::POST, path, Some(data), &[]).await,
            201,
        );
    }
    for running in [
        Some(("app:1", "a1")),
        Some(("app:2", "b2")),
        Some(("app:1", "a1")),
        None,
    ] {
        let pods = running
            .map(|(image, seed)| vec![pod("p", image, &fp(seed), T0 as i64)])
            .unwrap_or_default();
        fixtures::report(&srv.snapshotter, "prod", pods).await;
    }
    let got = sink.wait_for(11).await;
    srv.stop().await;
    let mut kinds = Vec::new();
    for r in &got {
        let event = &r.body;
        assert_eq!(violations(event), Vec::<String>::new(), "{event}");
        let context = &event["context"];
        for (header, field) in [
            ("ce-id", "id"),
            ("ce-source", "source"),
            ("ce-type", "type"),
            ("ce-time", "timestamp"),
        ] {
            assert_eq!(
                r.headers[header].to_str().unwrap(),
                context[field],
                "{header}"
            );
        }
        assert_eq!(r.headers["ce-specversion"], "1.0");
        assert_eq!(r.headers["content-type"], "application/json");
        kinds.push((
            context["type"].as_str().unwrap().to_string(),
            event["subject"].clone(),
        ));
    }
    // The flow's and the environment's targets are sent to side by side;
    // each one's events arrive in order.
    let name = |k: &(String, Value)| {
        k.0.trim_start_matches("dev.cdevents.")
            .trim_end_matches(".0.2.0")
            .to_string()
    };
    let (published, env): (Vec<_>, Vec<_>) = kinds
        .iter()
        .partition(|k| k.1["type"] != "service" && k.1["type"] != "environment");
    let from_flow: Vec<(String, &Value)> = published
        .iter()
        .map(|k| (name(k), &k.1["content"]["outcome"]))
        .collect();
    assert_eq!(
        from_flow,
        [
            ("artifact.published".to_string(), &Value::Null),
            ("testsuiterun.finished".to_string(), &json!("pass")),
            ("testsuiterun.finished".to_string(), &json!("fail")),
        ]
    );
    let order: Vec<String> = env.iter().map(|k| name(k)).collect();
    assert_eq!(
        order,
        [
            "service.deployed",
            "environment.modified",
            "service.upgraded",
            "environment.modified",
            "service.rolledback",
            "environment.modified",
            "service.removed",
            "environment.modified",
        ]
    );
    let artifact = |i: usize| {
        env[i].1["content"]["artifactId"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(artifact(2).ends_with(&fp("b2")), "the upgrade runs app:2");
    assert!(
        artifact(4).ends_with(&fp("a1")),
        "the rollback runs app:1 again"
    );
    assert_eq!(env[0].1["id"], "prod/app");
    assert_eq!(env[1].1["content"]["name"], "prod");
    assert_eq!(
        got.len(),
        11,
        "the only trigger does not limit a CDEvents target"
    );
}

#[test]
fn the_schemas_refuse_a_malformed_event() {
    let event = json!({"context": {"version": "0.4.1", "id": "x", "source": "/acme/environments/prod",
        "type": "dev.cdevents.service.deployed.0.2.0", "timestamp": "yesterday"},
        "subject": {"id": "prod/app", "type": "service", "content": {"environment": {"id": "prod"}}}});
    let errors = violations(&event);
    assert!(errors.iter().any(|e| e.contains("date-time")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("artifactId")),
        "{errors:?}"
    );
}
