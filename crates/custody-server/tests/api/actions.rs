//! Actions: the notifications of real reports and flow facts delivered
//! from the outbox to a local receiver — the webhook payload v1.0, a Slack
//! message, flow events, compliance changes and allow-listings — and the
//! shared setup of the actions tests ([`super::action_delivery`],
//! [`super::action_input`], [`super::cdevents`]).

use std::time::Duration;

use custody_server::AppState;
use custody_server::notify::guard::WebhookGuard;
use custody_server::notify::{Backoff, DeliverySettings};
use custody_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, T0, TestServer, fp, ok, pod, sha, start_with};
use crate::receiver::Receiver;

/// Fast polls and short retries, webhooks allowed to this machine.
pub fn delivering(state: AppState) -> AppState {
    quiet(state).with_delivery(DeliverySettings {
        poll: Duration::from_millis(50),
        backoff: Backoff {
            first_retry: Duration::from_millis(150),
            max_delay: Duration::from_secs(1),
            max_attempts: 4,
        },
    })
}

/// Webhooks allowed to this machine, but the outbox first read an hour after
/// the server starts: never during a test.
pub fn quiet(state: AppState) -> AppState {
    let guard = WebhookGuard::allowing(&["127.0.0.1/32".to_string()]).unwrap();
    state.with_webhooks(guard).with_delivery(DeliverySettings {
        poll: Duration::from_secs(3600),
        ..DeliverySettings::default()
    })
}

/// Flow `app` with artifact `app:1`, environment `prod`.
pub async fn setup(srv: &TestServer) {
    fixtures::flow(&srv.member, "app", EMPTY_TEMPLATE).await;
    fixtures::environment(&srv.member, "prod").await;
    fixtures::artifact(
        &srv.member,
        "app",
        &fp("a1"),
        "app:1",
        &sha("c1"),
        None,
        None,
    )
    .await;
}

pub async fn env_action(api: &Api, name: &str, kind: &str, url: &str, triggers: &[&str]) -> Value {
    let body = json!({"name": name, "environments": ["prod"], "triggers": triggers,
        "targets": [{"type": kind, "webhook": url}]});
    ok(api.put("actions/acme/environments", body).await, 201)
}

pub async fn run(srv: &TestServer, replicas: usize) {
    let pods = (0..replicas)
        .map(|i| pod(&format!("p{i}"), "app:1", &fp("a1"), T0 as i64))
        .collect();
    fixtures::report(&srv.snapshotter, "prod", pods).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_started_artifact_is_delivered_as_the_webhook_payload_v1() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, delivering).await;
    let hook = Receiver::start(&[]).await;
    setup(&srv).await;
    let action = env_action(
        &srv.member,
        "prod-hook",
        "WEBHOOK",
        &hook.url,
        &["ON_STARTED_ARTIFACT", "ON_SCALED_ARTIFACT"],
    )
    .await;
    assert_eq!(action["number"], 1);
    run(&srv, 1).await;
    let got = hook.wait_for(1).await;
    let p = &got[0].body;
    assert_eq!(p["version"], "1.0");
    assert_eq!(p["org"], "acme");
    assert_eq!(p["environment"], "prod");
    assert_eq!(p["event_type"], "STARTED_ARTIFACT");
    assert_eq!(p["description"], "1 instance started running (from 0 to 1)");
    assert_eq!(p["timestamp"], json!(T0));
    assert_eq!(p["snapshot"]["index"], 1);
    let snapshot = srv.reader.json("snapshots/acme/prod/1").await;
    let status = if snapshot["compliant"] == json!(true) {
        "COMPLIANT"
    } else {
        "NON-COMPLIANT"
    };
    assert_eq!(p["snapshot"]["status"], status);
    assert_eq!(p["snapshot"]["html_url"], snapshot["html_url"]);
    assert!(
        p["snapshot"]["api_url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v2/snapshots/acme/prod/1")
    );
    assert_eq!(p["artifact"]["name"], "app:1");
    assert_eq!(p["artifact"]["fingerprint"], fp("a1"));
    let prov = &p["artifact"]["provenance"];
    assert_eq!(prov["flow"], "app");
    assert_eq!(prov["commit"], sha("c1"));
    assert_eq!(prov["build_url"], "https://ci.example/build/1");
    assert!(
        prov["html_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/acme/flows/app/artifacts/{}", fp("a1")))
    );
    assert_eq!(got[0].delivery.len(), 32, "a delivery id is sent");

    // Scaling up is the other trigger; exiting is not watched.
    run(&srv, 3).await;
    let got = hook.wait_for(2).await;
    assert_eq!(got[1].body["event_type"], "SCALED_ARTIFACT");
    assert_eq!(
        got[1].body["description"],
        "2 instances started running (from 1 to 3)"
    );
    run(&srv, 0).await;
    let doc = srv.reader.json("actions/acme/1").await;
    assert!(doc["targets"][0]["last_success_at"].is_number(), "{doc}");
    let seen = doc["targets"][0]["webhook"].as_str().unwrap();
    assert!(
        seen.ends_with("/…") && !seen.contains("/hook"),
        "a reader sees the webhook's origin only: {seen}"
    );
    let member = srv.member.json("actions/acme/1").await;
    assert_eq!(
        member["targets"][0]["webhook"],
        hook.url.as_str(),
        "a member sees it whole"
    );
    assert_eq!(doc["targets"][0]["last_failure_at"], Value::Null);
    assert_eq!(doc["is_failing"], false);
    srv.stop().await;
    assert_eq!(hook.received().len(), 2, "the exit was not watched");
}

#[tokio::test(flavor = "multi_thread")]
async fn slack_gets_a_readable_message_linking_to_the_web_ui() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, |s| {
        delivering(s).with_public_url("https://custody.example")
    })
    .await;
    let slack = Receiver::start(&[]).await;
    setup(&srv).await;
    env_action(
        &srv.member,
        "prod-slack",
        "SLACK",
        &slack.url,
        &["ON_STARTED_ARTIFACT"],
    )
    .await;
    run(&srv, 1).await;
    let got = slack.wait_for(1).await;
    let text = got[0].body["text"].as_str().expect("a Slack text message");
    assert!(text.starts_with("*STARTED_ARTIFACT* · acme · <https://custody.example/acme/environments/prod/snapshots/1|prod#1>"), "{text}");
    assert!(
        text.contains("`app:1`: 1 instance started running (from 0 to 1)"),
        "{text}"
    );
    let provenance = format!(
        "From flow <https://custody.example/acme/flows/app/artifacts/{}|app> at commit <https://git.example/commit/",
        fp("a1")
    );
    assert!(text.contains(&provenance), "{text}");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_events_are_delivered_for_the_watched_flows_only() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, delivering).await;
    let hook = Receiver::start(&[]).await;
    fixtures::flow(&srv.member, "app", EMPTY_TEMPLATE).await;
    fixtures::flow(&srv.member, "other", EMPTY_TEMPLATE).await;
    let body = json!({"name": "app-events", "flows": ["app"], "type": "flow",
        "triggers": ["ON_STARTED_TRAIL", "ON_ATTESTED_PROVENANCE", "ON_ATTESTATION"],
        "targets": [{"type": "WEBHOOK", "webhook": hook.url, "payload_version": "1.0"}]});
    ok(srv.member.put("actions/acme/flows", body).await, 201);
    for flow in ["other", "app"] {
        ok(
            srv.member
                .form(
                    Method::PUT,
                    &format!("trails/acme/{flow}"),
                    Some(json!({"name": "t1"})),
                    &[],
                )
                .await,
            201,
        );
    }
    fixtures::artifact(
        &srv.member,
        "app",
        &fp("b2"),
        "app:2",
        &sha("c2"),
        Some("t1"),
        None,
    )
    .await;
    fixtures::attest(
        &srv.member,
        "app",
        "t1",
        json!({"attestation_name": "lint", "is_compliant": true}),
    )
    .await;
    let got = hook.wait_for(3).await;
    let types: Vec<&Value> = got.iter().map(|r| &r.body["event_type"]).collect();
    assert_eq!(
        types,
        ["STARTED_TRAIL", "ATTESTED_PROVENANCE", "ATTESTATION"]
    );
    assert!(
        got.iter()
            .all(|r| r.body["flow"] == "app" && r.body["trail"] == "t1")
    );
    assert_eq!(got[1].body["artifact"]["name"], "app:2");
    assert_eq!(got[2].body["attestation"]["name"], "lint");
    assert_eq!(
        got[2].body["description"],
        "Attestation lint (generic) was reported to trail t1: compliant"
    );
    srv.stop().await;
    assert_eq!(hook.received().len(), 3, "nothing from the unwatched flow");
}

#[tokio::test(flavor = "multi_thread")]
async fn compliance_changes_and_allow_listings_are_delivered() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, delivering).await;
    let hook = Receiver::start(&[]).await;
    setup(&srv).await;
    let triggers = [
        "ON_NON_COMPLIANT_ENV",
        "ON_COMPLIANT_ENV",
        "ON_ALLOWED_ARTIFACT",
    ];
    env_action(&srv.member, "compliance", "WEBHOOK", &hook.url, &triggers).await;
    let app = pod("p", "app:1", &fp("a1"), T0 as i64);
    let unknown = pod("q", "nginx", &fp("e5"), T0 as i64);
    fixtures::report(&srv.snapshotter, "prod", vec![app.clone()]).await;
    fixtures::report(&srv.snapshotter, "prod", vec![app.clone(), unknown]).await;
    fixtures::report(&srv.snapshotter, "prod", vec![app]).await;
    let allow = json!({"artifact_fingerprint": fp("e5"), "artifact_name": "nginx", "description": "vendor"});
    ok(srv.member.put("allowlists/acme/prod", allow).await, 201);
    let got = hook.wait_for(3).await;
    let seen: Vec<(&Value, &Value, &Value)> = got
        .iter()
        .map(|r| {
            (
                &r.body["event_type"],
                &r.body["description"],
                &r.body["snapshot"]["index"],
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                &json!("NON_COMPLIANT_ENV"),
                &json!("Environment prod became non-compliant"),
                &json!(2)
            ),
            (
                &json!("COMPLIANT_ENV"),
                &json!("Environment prod became compliant"),
                &json!(3)
            ),
            (
                &json!("ALLOWED_ARTIFACT"),
                &json!("Artifact nginx was allow-listed in prod"),
                &Value::Null
            ),
        ]
    );
    assert_eq!(got[0].body["snapshot"]["status"], "NON-COMPLIANT");
    assert_eq!(got[2].body["artifact"]["fingerprint"], fp("e5"));
    assert_eq!(
        got[2].body["artifact"]["provenance"],
        Value::Null,
        "no flow knows it"
    );
    srv.stop().await;
    assert_eq!(
        hook.received().len(),
        3,
        "the first, compliant snapshot changed nothing"
    );
}

/// The action 1 document once `done` holds (failing after a minute).
pub async fn wait_until(api: &Api, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let doc = api.json("actions/acme/1").await;
        if done(&doc) {
            return doc;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {doc}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
