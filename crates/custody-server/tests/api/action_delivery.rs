//! How actions' notifications are delivered: retries with growing delays,
//! a target that keeps failing, delivery by a server started after the one
//! that recorded the event, exactly once from two servers on one PostgreSQL,
//! and the webhook guard's refusals when an action is saved and again before
//! each POST.

use std::time::Duration;

use custody_server::notify::DeliverySettings;
use custody_store::testing::TestDatabase;
use serde_json::{Value, json};

use crate::actions::{delivering, env_action, quiet, run, setup, wait_until};
use crate::harness::{fails_like, start_with};
use crate::receiver::Receiver;

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
