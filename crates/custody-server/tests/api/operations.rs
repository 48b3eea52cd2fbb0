//! What an operator sees: every response names its request (`x-request-id`,
//! kept from a proxy when well-formed), `/metrics` counts requests by route
//! template and what was taken in, `/live` answers while the process runs and
//! `/ready` only while the database answers, and a server error's body names
//! the request so its log line can be found. A request in flight when the
//! server is told to stop is answered before it stops.

use custody_client::Body;
use custody_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::json;

use crate::harness::{Api, fails_like, fp, ok, pod, start};
use crate::hostile_rules::{attest, create_type, serving_an_honest_type};

/// The status, `x-request-id` and body of a GET sent with these headers.
async fn get(api: &Api, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(api.client.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(token) = &api.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, id, response.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_names_its_request() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let (status, id, body) = get(&srv.anonymous, "/ready", &[]).await;
    assert_eq!((status, body.as_str()), (200, "OK"));
    assert_eq!(id.len(), 16, "a fresh id: {id}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let (_, again, _) = get(&srv.anonymous, "/ready", &[]).await;
    assert_ne!(id, again);
    let (_, kept, _) = get(&srv.anonymous, "/ready", &[("x-request-id", "lb-7f3a.1")]).await;
    assert_eq!(kept, "lb-7f3a.1");
    let (_, replaced, _) = get(&srv.anonymous, "/ready", &[("x-request-id", "a\"b")]).await;
    assert_eq!(replaced.len(), 16);
    let (status, id, _) = get(&srv.anonymous, "/api/v2/no/such/thing", &[]).await;
    assert_eq!((status, id.len()), (404, 16));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_reports_and_attestations_without_names() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    ok(
        m.put(
            "environments/acme",
            json!({"name": "prod-secret-name", "type": "K8S"}),
        )
        .await,
        201,
    );
    let report = json!({"artifacts": [pod("p1", "app", &fp("a1"), 1)]});
    for _ in 0..2 {
        ok(
            m.put(
                "environments/acme/prod-secret-name/report/K8S",
                report.clone(),
            )
            .await,
            200,
        );
    }
    ok(
        m.put("flows/acme", json!({"name": "svc", "description": "d"}))
            .await,
        201,
    );
    let form = custody_client::FormBody {
        fields: vec![(
            "data_json".into(),
            json!({"attestation_name": "lint", "is_compliant": true}),
        )],
        files: vec![],
    };
    let attested = m
        .call(
            Method::POST,
            "attestations/acme/svc/trail/t1/generic",
            Body::Form(form),
        )
        .await;
    ok(attested, 201);
    let (status, _, text) = get(&srv.anonymous, "/metrics", &[]).await;
    assert_eq!(status, 200);
    for line in [
        r#"custody_http_requests_total{method="PUT",route="/api/v2/environments/{org}/{env}/report/{kind}",status="200"} 2"#,
        r#"custody_http_request_duration_seconds_count{method="PUT",route="/api/v2/environments/{org}/{env}/report/{kind}"} 2"#,
        r#"custody_reports_total{environment_type="K8S"} 2"#,
        r#"custody_snapshots_created_total{environment_type="K8S"} 1"#,
        r#"custody_attestations_total{attestation_type="generic"} 1"#,
        r#"custody_database_connections{state="max"}"#,
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    for name in ["acme", "prod-secret-name", "svc", "lint"] {
        assert!(!text.contains(name), "metrics name '{name}':\n{text}");
    }
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_whose_database_is_gone_is_live_but_not_ready() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    srv.state.store.close().await;
    let (status, _, body) = get(&srv.anonymous, "/live", &[]).await;
    assert_eq!((status, body.as_str()), (200, "OK"));
    let (status, _, body) = get(&srv.anonymous, "/ready", &[]).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("database: "), "{body}");
    let (status, id, body) = get(&srv.member, "/api/v2/flows/acme", &[]).await;
    assert_eq!(status, 500, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(body["request_id"], id.as_str(), "{body}");
    assert!(
        !body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("pool"),
        "{body}"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_in_flight_when_told_to_stop_is_answered() {
    let db = TestDatabase::sqlite();
    let srv = serving_an_honest_type(&db).await;
    // The sandbox stops this rule after its time limit (1.5 s in tests).
    ok(create_type(&srv.member, "spin", "def f: f; f").await, 201);
    let member = srv.member.clone();
    let slow = tokio::spawn(async move { attest(&member, "spin").await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let base = srv.base.clone();
    srv.stop().await;
    fails_like(slow.await.expect("joined"), 400, "", "took longer than");
    let after = reqwest::Client::new()
        .get(format!("{base}/live"))
        .send()
        .await;
    assert!(after.is_err(), "still accepting: {after:?}");
}
