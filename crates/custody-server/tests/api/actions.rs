//! Actions: managed through the Kosli actions API, their notifications
//! delivered from the outbox to a local receiver — the webhook payload v1.0
//! of a real report, a Slack message, flow events, retries with growing
//! delays, delivery by a server started after the one that recorded the
//! event, exactly once from two servers on one PostgreSQL — and the webhook
//! guard's refusals, when an action is saved and again before each POST.

use std::time::Duration;

use custody_server::AppState;
use custody_server::notify::guard::WebhookGuard;
use custody_server::notify::{Backoff, DeliverySettings};
use custody_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, T0, TestServer, fails_like, fp, ok, pod, sha, start_with};
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
fn quiet(state: AppState) -> AppState {
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

async fn env_action(api: &Api, name: &str, kind: &str, url: &str, triggers: &[&str]) -> Value {
    let body = json!({"name": name, "environments": ["prod"], "triggers": triggers,
        "targets": [{"type": kind, "webhook": url}]});
    ok(api.put("actions/acme/environments", body).await, 201)
}

async fn run(srv: &TestServer, replicas: usize) {
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

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_receiver_gets_retries_with_growing_delays_until_it_answers() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, delivering).await;
    let hook = Receiver::start(&[500, 503]).await;
    setup(&srv).await;
    env_action(
        &srv.member,
        "flaky",
        "WEBHOOK",
        &hook.url,
        &["ON_STARTED_ARTIFACT"],
    )
    .await;
    run(&srv, 1).await;
    let got = hook.wait_for(3).await;
    assert!(
        got.iter()
            .all(|r| r.delivery == got[0].delivery && r.body == got[0].body),
        "the same delivery each time"
    );
    // Each retry waits at least its delay: 150 ms, then twice that.
    assert!(got[1].at - got[0].at >= Duration::from_millis(150));
    assert!(got[2].at - got[1].at >= Duration::from_millis(300));
    let doc = wait_until(&srv.reader, |d| {
        d["targets"][0]["last_success_at"].is_number()
    })
    .await;
    let target = &doc["targets"][0];
    assert!(target["last_failure_at"].is_number());
    assert!(
        target["last_error"].as_str().unwrap().contains("503"),
        "{target}"
    );
    assert_eq!(doc["is_failing"], false);
    srv.stop().await;
    assert_eq!(hook.received().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_that_keeps_failing_shows_on_its_action() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, delivering).await;
    let hook = Receiver::start(&[500; 10]).await;
    setup(&srv).await;
    env_action(
        &srv.member,
        "broken",
        "WEBHOOK",
        &hook.url,
        &["ON_STARTED_ARTIFACT"],
    )
    .await;
    run(&srv, 1).await;
    let doc = wait_until(&srv.reader, |d| {
        d["targets"][0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("gave up"))
    })
    .await;
    assert_eq!(doc["is_failing"], true);
    assert_eq!(doc["targets"][0]["last_success_at"], Value::Null);
    srv.stop().await;
    assert_eq!(hook.received().len(), 4, "four attempts, then no more");
}

/// The action 1 document once `done` holds (failing after a minute).
async fn wait_until(api: &Api, done: impl Fn(&Value) -> bool) -> Value {
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

#[tokio::test(flavor = "multi_thread")]
async fn an_event_recorded_before_a_restart_is_delivered_after_it() {
    let db = TestDatabase::sqlite();
    let first = start_with(&db, quiet).await;
    let hook = Receiver::start(&[]).await;
    setup(&first).await;
    env_action(
        &first.member,
        "prod-hook",
        "WEBHOOK",
        &hook.url,
        &["ON_STARTED_ARTIFACT"],
    )
    .await;
    run(&first, 1).await;
    let next = first.beside_with(&db, delivering).await;
    drop(first);
    let got = hook.wait_for(1).await;
    assert_eq!(got[0].body["event_type"], "STARTED_ARTIFACT");
    next.stop().await;
    assert_eq!(hook.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_postgresql_deliver_each_event_once() {
    let db = TestDatabase::postgres().await;
    let a = start_with(&db, delivering).await;
    let b = a.beside_with(&db, delivering).await;
    let hook = Receiver::start(&[]).await;
    setup(&a).await;
    env_action(
        &a.member,
        "prod-hook",
        "WEBHOOK",
        &hook.url,
        &[
            "ON_STARTED_ARTIFACT",
            "ON_SCALED_ARTIFACT",
            "ON_EXITED_ARTIFACT",
        ],
    )
    .await;
    // Ten snapshots, reported through both servers.
    for (i, replicas) in [1, 2, 3, 2, 1, 0, 1, 2, 1, 0].into_iter().enumerate() {
        run(if i % 2 == 0 { &a } else { &b }, replicas).await;
    }
    hook.wait_for(10).await;
    // Both keep polling a while longer: a second delivery would show now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.stop().await;
    b.stop().await;
    let got = hook.received();
    let mut ids: Vec<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (10, 10), "{got:?}");
    let indexes: Vec<i64> = got
        .iter()
        .filter_map(|r| r.body["snapshot"]["index"].as_i64())
        .collect();
    let mut sorted = indexes.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=10).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_inside_the_network_are_refused_when_saved_and_before_sending() {
    let db = TestDatabase::sqlite();
    let guarded = start_with(&db, |s| {
        s.with_delivery(DeliverySettings {
            poll: Duration::from_millis(50),
            ..DeliverySettings::default()
        })
    })
    .await;
    setup(&guarded).await;
    for (url, why) in [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://[::1]:9/hook", "loopback"),
        ("http://localhost:9/hook", "this machine"),
        ("http://10.0.0.7/hook", "private"),
        ("http://192.168.1.1/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://100.64.0.1/hook", "CGNAT"),
        ("http://[fd00::1]/hook", "unique-local"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("http://metadata.google.internal/", "metadata"),
        ("file:///etc/passwd", "http or https"),
    ] {
        let body = json!({"name": "a", "environments": ["prod"], "triggers": ["ON_STARTED_ARTIFACT"],
            "targets": [{"type": "WEBHOOK", "webhook": url}]});
        fails_like(
            guarded.member.put("actions/acme/environments", body).await,
            400,
            "targets: ",
            why,
        );
    }
    assert_eq!(
        guarded.reader.json("actions/acme").await,
        json!([]),
        "nothing was saved"
    );

    // Saved where allowed, the webhook is checked again where it is sent.
    let hook = Receiver::start(&[]).await;
    let allowing = guarded.beside_with(&db, quiet).await;
    env_action(
        &allowing.member,
        "sneaky",
        "WEBHOOK",
        &hook.url,
        &["ON_STARTED_ARTIFACT"],
    )
    .await;
    run(&allowing, 1).await;
    let doc = wait_until(&guarded.reader, |d| d["is_failing"] == json!(true)).await;
    let error = doc["targets"][0]["last_error"].as_str().unwrap();
    assert!(error.contains("is a loopback address"), "{error}");
    guarded.stop().await;
    allowing.stop().await;
    assert!(hook.received().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_actions_are_refused_and_change_nothing() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, quiet).await;
    setup(&srv).await;
    let hook = "http://127.0.0.1:9/hook";
    let env = |patch: Value| {
        let mut body = json!({"name": "a", "environments": ["prod"], "triggers": ["ON_STARTED_ARTIFACT"],
            "targets": [{"type": "WEBHOOK", "webhook": hook}]});
        body.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        body
    };
    for (patch, status, why) in [
        (
            json!({"name": "-a"}),
            400,
            "Input payload validation failed",
        ),
        (json!({"type": "flow"}), 400, "'flow' is not 'env'"),
        (
            json!({"environments": []}),
            400,
            "between 1 and 100 environments",
        ),
        (
            json!({"environments": ["nowhere"]}),
            404,
            "Environment named 'nowhere' does not exist",
        ),
        (
            json!({"triggers": ["ON_STARTED_TRAIL"]}),
            400,
            "not a trigger of env actions",
        ),
        (json!({"triggers": ["ON_RELEASE"]}), 400, "not supported"),
        (json!({"triggers": []}), 400, "at least one trigger"),
        (json!({"targets": []}), 400, "between 1 and 10 targets"),
        (
            json!({"targets": [{"type": "EMAIL", "emails": ["a@b.c"]}]}),
            400,
            "EMAIL targets are not supported",
        ),
        (
            json!({"targets": [{"type": "SLACK", "webhook": hook, "context": {"channel_id": "C", "channel_name": "c", "team_id": "T"}}]}),
            400,
            "Slack app channels",
        ),
        (
            json!({"targets": [{"type": "WEBHOOK", "webhook": hook, "payload_version": "2.0"}]}),
            400,
            "'2.0' is not '1.0'",
        ),
        (
            json!({"targets": [{"type": "PAGER", "webhook": hook}]}),
            400,
            "not a target type",
        ),
        (
            json!({"targets": [{"type": "WEBHOOK"}]}),
            400,
            "needs a 'webhook'",
        ),
        (json!({"colour": "red"}), 400, "unknown field"),
    ] {
        let reply = srv
            .member
            .put("actions/acme/environments", env(patch.clone()))
            .await;
        let status_of = match &reply {
            Ok((s, _)) | Err((s, _)) => *s,
        };
        assert_eq!(status_of, status, "{patch}: {reply:?}");
        assert!(format!("{reply:?}").contains(why), "{patch}: {reply:?}");
    }
    let flows = json!({"name": "f", "flows": ["nowhere"], "triggers": ["ON_STARTED_TRAIL"],
        "targets": [{"webhook": hook}]});
    assert!(matches!(
        srv.member.put("actions/acme/flows", flows).await,
        Err((404, _))
    ));
    assert_eq!(srv.reader.json("actions/acme").await, json!([]));
    for path in [
        "actions/acme/1",
        "actions/acme/x",
        "actions/acme/-1",
        "actions/acme/99999999999999999999",
    ] {
        assert!(
            matches!(srv.reader.get(path).await, Err((404, _))),
            "{path}"
        );
    }

    // An update keeps the number and the target's record; a deleted number is not reused.
    let first = ok(
        srv.member
            .put("actions/acme/environments", env(json!({})))
            .await,
        201,
    );
    let again = ok(
        srv.member
            .put(
                "actions/acme/environments",
                env(json!({"triggers": ["ON_EXITED_ARTIFACT"]})),
            )
            .await,
        200,
    );
    assert_eq!(
        (first["number"].clone(), again["triggers"].clone()),
        (json!(1), json!(["ON_EXITED_ARTIFACT"]))
    );
    ok(srv.member.delete("actions/acme/1").await, 200);
    assert!(matches!(
        srv.reader.get("actions/acme/1").await,
        Err((404, _))
    ));
    let next = ok(
        srv.member
            .put("actions/acme/environments", env(json!({})))
            .await,
        201,
    );
    assert_eq!(next["number"], 2);
    assert!(matches!(
        srv.other.get("actions/acme/2").await,
        Err((403, _))
    ));
    srv.stop().await;
}
