//! Time travel: a policy edited later leaves past verdicts as recorded, and
//! any policy (a stored version or a proposed file) can judge past snapshots,
//! showing where compliance would have changed.

use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, artifact, report};
use crate::harness::{T0, fp, ok, sha, start};
use crate::policies::put_policy;
use crate::snapshots::pods;
use custody_store::testing::TestDatabase;

const SCHEMA: &str = "_schema: https://kosli.com/schemas/policy/environment/v1\n";

fn strict() -> String {
    format!("{SCHEMA}artifacts:\n  provenance:\n    required: true\n")
}

#[tokio::test]
async fn past_verdicts_stay_and_any_policy_can_judge_the_past() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::flow(m, "app", EMPTY_TEMPLATE).await;
    fixtures::environment(m, "prod").await;
    let known = fp("a1");
    artifact(m, "app", &known, "app:1", &sha("c1"), None, None).await;
    let stranger = fp("ee");

    ts.at(T0 + 10.0);
    ok(put_policy(m, "gate", SCHEMA).await, 201);
    let attach = json!({"policy_names": ["gate"]});
    report(m, "prod", pods("app", &known, 1)).await;
    ok(m.post("environments/acme/prod/policies", attach).await, 200);
    ts.at(T0 + 20.0);
    let mut both = pods("app", &known, 1);
    both.extend(pods("sidecar", &stranger, 1));
    assert_eq!(report(m, "prod", both.clone()).await, (3, true));
    let third = ok(m.get("snapshots/acme/prod/3").await, 200);
    assert_eq!(
        third["compliant"], true,
        "the lax version 1 allows the sidecar"
    );

    ts.at(T0 + 30.0);
    ok(put_policy(m, "gate", &strict()).await, 200);
    let third = ok(m.get("snapshots/acme/prod/3").await, 200);
    assert_eq!(
        (
            third["compliant"].clone(),
            third["applied_policies"][0]["version"].clone()
        ),
        (json!(true), json!(1)),
        "snapshot #3 keeps the verdict of the version in force when it was taken: {third}"
    );
    ts.at(T0 + 40.0);
    both.extend(pods("web", &known, 1));
    let (fourth, _) = report(m, "prod", both).await;
    let fourth = ok(m.get(&format!("snapshots/acme/prod/{fourth}")).await, 200);
    assert_eq!(fourth["compliant"], false, "version 2 requires provenance");
    assert_eq!(fourth["applied_policies"][0]["version"], 2);

    // Would #3 have passed version 2?
    let asked = json!({"snapshot": "prod#3", "policy_name": "gate", "policy_version": 2});
    let answer = ok(m.post("policy-evaluations/acme", asked).await, 200);
    assert_eq!(answer["policy_version"], 2);
    let verdict = &answer["snapshots"][0];
    assert_eq!(
        (
            verdict["index"].clone(),
            verdict["compliant"].clone(),
            verdict["recorded_compliant"].clone()
        ),
        (json!(3), json!(false), json!(true)),
        "{answer}"
    );
    let sidecar: Vec<&Value> = answer["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["fingerprint"] == stranger.as_str())
        .collect();
    assert_eq!(sidecar[0]["compliant"], false);
    assert_eq!(sidecar[0]["decision"]["status"], "NON-COMPLIANT");

    // A proposed file over the whole history, by time and by interval.
    let proposed = json!({"environment": "prod", "interval": "1..4", "policy_yaml": strict()});
    let answer = ok(m.post("policy-evaluations/acme", proposed).await, 200);
    let judged: Vec<bool> = answer["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["compliant"].as_bool().unwrap())
        .collect();
    assert_eq!(judged, [true, true, false, false]);
    assert_eq!(
        answer["changes"],
        json!([3]),
        "where the verdict would have changed"
    );
    assert_eq!(answer["policy_version"], Value::Null);
    // T0 + 25 s, between #3 (T0 + 20) and #4 (T0 + 40), in UTC.
    let at_time = json!({"snapshot": "prod@{2023-11-14T22:13:45}", "policy_yaml": SCHEMA});
    let answer = ok(m.post("policy-evaluations/acme", at_time).await, 200);
    assert_eq!(answer["snapshots"][0]["index"], 3);
}

#[tokio::test]
async fn a_bad_question_is_refused_and_says_why() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::environment(m, "prod").await;
    report(m, "prod", pods("app", &fp("a1"), 1)).await;
    ok(put_policy(m, "gate", SCHEMA).await, 201);
    for (body, status, words) in [
        (json!({"snapshot": "prod#1"}), 400, "name one policy"),
        (
            json!({"snapshot": "prod#1", "policy_name": "gate", "policy_yaml": SCHEMA}),
            400,
            "name one policy",
        ),
        (json!({"policy_name": "gate"}), 400, "say which snapshots"),
        (
            json!({"snapshot": "prod#9", "policy_name": "gate"}),
            404,
            "prod#9",
        ),
        (
            json!({"environment": "prod", "interval": "1..5", "policy_name": "gate"}),
            404,
            "no snapshots 1..5",
        ),
        (
            json!({"snapshot": "prod#1", "policy_name": "gate", "policy_version": 7}),
            404,
            "no version 7",
        ),
        (
            json!({"snapshot": "prod#1", "policy_name": "nope"}),
            404,
            "nope",
        ),
        (
            json!({"snapshot": "prod#1", "policy_yaml": "artifacts: ["}),
            400,
            "not valid",
        ),
    ] {
        let reply = ts
            .reader
            .post("policy-evaluations/acme", body.clone())
            .await;
        let (code, message) = reply.expect_err(&body.to_string());
        assert_eq!(code, status, "{body}: {message}");
        assert!(message.contains(words), "{body}: {message}");
    }
}
