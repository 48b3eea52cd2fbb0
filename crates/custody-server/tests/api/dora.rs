//! Delivery metrics over HTTP from a scripted history: deploys, a rollback and
//! an unknown image reported to a real server, with the figures they must give.

use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{T0, TestServer, fp, ok, pod, sha, start};
use custody_store::testing::TestDatabase;

const DAY: f64 = 86_400.0;

async fn build(ts: &TestServer, version: &str, day: f64) -> String {
    ts.at(T0 + day * DAY);
    let fingerprint = fp(version);
    fixtures::artifact(
        &ts.member,
        "app",
        &fingerprint,
        &format!("app:{version}"),
        &sha(version),
        None,
        None,
    )
    .await;
    fingerprint
}

async fn run(ts: &TestServer, day: f64, running: &[(&str, &str)]) {
    ts.at(T0 + day * DAY);
    let pods: Vec<Value> = running
        .iter()
        .map(|(image, fingerprint)| pod(image, image, fingerprint, 1))
        .collect();
    let report = json!({"artifacts": pods});
    ok(
        ts.member
            .put("environments/acme/prod/report/K8S", report)
            .await,
        200,
    );
}

/// Flow `app` deploys a1, a2, a3 to `prod` a day apart, then rolls back to
/// a2, which later runs beside an unknown sidecar; the last report is at
/// day 3. Returns the fingerprints of a2 and a3.
pub async fn rollback_history(ts: &TestServer) -> (String, String) {
    fixtures::flow(&ts.member, "app", EMPTY_TEMPLATE).await;
    fixtures::environment(&ts.member, "prod").await;
    let v1 = build(ts, "a1", 0.0).await;
    run(ts, 0.1, &[("app:1", &v1)]).await;
    let v2 = build(ts, "a2", 1.0).await;
    run(ts, 1.2, &[("app:2", &v2)]).await;
    let v3 = build(ts, "a3", 2.0).await;
    run(ts, 2.1, &[("app:3", &v3)]).await;
    run(ts, 2.5, &[("app:2", &v2)]).await;
    let unknown = fp("ee");
    run(ts, 3.0, &[("app:2", &v2), ("sidecar", &unknown)]).await;
    (v2, v3)
}

#[tokio::test]
async fn a_rollback_shows_as_a_failed_change_restored_by_the_older_build() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let (v2, v3) = rollback_history(&ts).await;

    let report = ok(ts.reader.get("metrics/acme/dora?window=7d").await, 200);
    assert_eq!(report["window_days"], 7);
    let prod = &report["environments"][0];
    assert_eq!(prod["environment"], "prod");
    assert_eq!(
        prod["to"],
        T0 + 3.0 * DAY,
        "the window ends at the latest report"
    );
    assert_eq!(prod["deployments"], 4, "a1, a2, a3 and a2 again: {prod}");
    let lead = &prod["lead_time"];
    assert_eq!(lead["count"], 3, "the rollback brings nothing new: {lead}");
    assert!((lead["median_seconds"].as_f64().unwrap() - 0.1 * DAY).abs() < 1.0);
    assert_eq!(prod["change_failure_rate"], 0.25);
    let failed = &prod["failed_deployments"];
    assert_eq!(failed.as_array().unwrap().len(), 1, "{failed}");
    assert_eq!(failed[0]["fingerprint"], v3.as_str());
    assert_eq!(failed[0]["cause"], "rolled_back");
    assert_eq!(failed[0]["restored_by"], v2.as_str());
    let restore = prod["time_to_restore"]["median_seconds"].as_f64().unwrap();
    assert!((restore - 0.4 * DAY).abs() < 1.0, "{restore}");
    assert_eq!(prod["rework_rate"], 0.25);
    assert_eq!(prod["untracked"], 1, "the sidecar has no provenance");

    let flow = ok(
        ts.reader
            .get("metrics/acme/dora?window=1d&environment=prod&flow=app")
            .await,
        200,
    );
    let prod = &flow["environments"][0];
    assert_eq!(
        (prod["deployments"].clone(), prod["untracked"].clone()),
        (json!(2), json!(0)),
        "a3 and a2 again in the last day: {prod}"
    );
    let before = ok(
        ts.reader
            .get("metrics/acme/dora?window=1d&until=1970-01-02")
            .await,
        200,
    );
    assert_eq!(before["environments"][0]["deployments"], 0);
}

#[tokio::test]
async fn bad_questions_get_clear_answers() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    fixtures::environment(&ts.member, "prod").await;
    let all = json!({"name": "all", "type": "logical", "included_environments": ["prod"]});
    ok(ts.member.put("environments/acme", all).await, 201);
    for (query, status, words) in [
        ("window=0d", 400, "28d or 4w"),
        ("window=2y", 400, "28d or 4w"),
        ("until=yesterday", 400, "is not a time"),
        ("environment=all", 400, "logical environment"),
        ("environment=nope", 404, "nope"),
        ("flow=nope", 404, "nope"),
    ] {
        let reply = ts.reader.get(&format!("metrics/acme/dora?{query}")).await;
        let (code, message) = reply.expect_err(query);
        assert_eq!(code, status, "{query}: {message}");
        assert!(message.contains(words), "{query}: {message}");
    }
    let none = ok(ts.reader.get("metrics/acme/dora").await, 200);
    assert_eq!(
        none["environments"],
        json!([]),
        "no environment has reported"
    );
}
