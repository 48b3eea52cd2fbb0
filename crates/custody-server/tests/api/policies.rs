//! Environment policies: strict validation on create, versions, attaching and
//! detaching (a re-evaluation snapshot with the same artifacts), `if:`
//! conditions on flow tags, trail-compliance exceptions, allow-lists, and the
//! policy-scoped deployment gate.

use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, artifact, attest, report};
use crate::harness::{Api, Reply, T0, fails_like, fp, ok, sha, start};
use crate::snapshots::{by_fp, pods};
use custody_store::testing::TestDatabase;

const SCHEMA: &str = "_schema: https://kosli.com/schemas/policy/environment/v1\n";

/// Creates or updates policy `name` through the multipart API.
pub async fn put_policy(api: &Api, name: &str, yaml: &str) -> Reply {
    let form = FormBody {
        fields: vec![(
            "payload".into(),
            json!({"name": name, "description": "d", "comment": "c", "type": "env"}),
        )],
        files: vec![(
            "policy_file".into(),
            "p.yml".into(),
            yaml.as_bytes().to_vec().into(),
        )],
    };
    api.call(Method::PUT, "policies/acme", Body::Form(form))
        .await
}

fn tested_policy() -> String {
    format!(
        "{SCHEMA}artifacts:\n  provenance:\n    required: true\n  attestations:\n    - name: unit-test\n      type: generic\n      if: ${{{{ flow.tags.kind == \"build\" }}}}\n"
    )
}

async fn attach(api: &Api, env: &str, names: &[&str], method: Method) -> Value {
    let path = format!("environments/acme/{env}/policies");
    let body = Body::Json(json!({"policy_names": names}));
    ok(api.call(method, &path, body).await, 200)
}

#[tokio::test]
async fn bad_policies_are_rejected_and_nothing_is_stored() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    let cases = [
        ("artifacts: [", "invalid policy"),
        ("_schema: https://example.com/v1\n", "_schema"),
        (
            &format!("{SCHEMA}artifacts:\n  provenance:\n    requird: true\n"),
            "requird",
        ),
        (
            &format!(
                "{SCHEMA}artifacts:\n  attestations:\n    - type: generic\n      if: flow.name = 1\n"
            ),
            "position",
        ),
        (
            &format!("{SCHEMA}artifacts:\n  attestations:\n    - type: nope\n"),
            "nope",
        ),
    ];
    for (yaml, part) in cases {
        fails_like(put_policy(m, "bad", yaml).await, 400, "", part);
    }
    assert_eq!(m.json("policies/acme").await, json!([]));
    fails_like(m.get("policies/acme/bad").await, 404, "", "bad");

    assert_eq!(
        ok(put_policy(m, "p", &tested_policy()).await, 201)["latest_version"],
        1
    );
    assert_eq!(
        ok(put_policy(m, "p", &tested_policy()).await, 200)["latest_version"],
        1
    );
    let v2 = format!("{SCHEMA}artifacts:\n  provenance:\n    required: true\n");
    let doc = ok(put_policy(m, "p", &v2).await, 200);
    assert_eq!(doc["versions"][1]["policy_yaml"], v2.as_str());
    assert_eq!(doc["consuming_envs"], json!([]));
    assert_eq!(m.json("policies/acme").await[0]["latest_version"], 2);
    srv.stop().await;
}

#[tokio::test]
async fn attaching_policies_reevaluates_the_environment() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::environment(m, "prod").await;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    fixtures::flow(m, "ops", EMPTY_TEMPLATE).await;
    ok(
        m.patch("tags/acme/flow/ci", json!({"set_tags": {"kind": "build"}}))
            .await,
        200,
    );
    let (fpa, fpb, fpu) = (fp("a1"), fp("b1"), fp("c1"));
    artifact(m, "ci", &fpa, "app:1", &sha("a"), Some("t1"), None).await;
    artifact(m, "ops", &fpb, "tool:1", &sha("b"), Some("t2"), None).await;
    let mut running = pods("app", &fpa, 1);
    running.extend(pods("tool", &fpb, 1));
    assert_eq!(
        report(&srv.snapshotter, "prod", running.clone()).await,
        (1, true)
    );
    assert_eq!(
        m.json("snapshots/acme/prod/-1").await["compliant"],
        true,
        "legacy rule"
    );

    ok(put_policy(m, "tested", &tested_policy()).await, 201);
    srv.at(T0 + 100.0);
    let reply = attach(m, "prod", &["tested"], Method::POST).await;
    assert_eq!(reply["snapshot"], 2);
    assert_eq!(
        m.json("policies/acme/tested").await["consuming_envs"],
        json!(["prod"])
    );
    let snap = m.json("snapshots/acme/prod/-1").await;
    assert_eq!(
        (snap["index"].as_i64(), snap["compliant"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(
        snap["applied_policies"],
        json!([{"name": "tested", "version": 1}])
    );
    let a = by_fp(&snap["artifacts"], &fpa);
    assert_eq!(a["annotation"]["type"], "unchanged", "no false 'started'");
    assert_eq!(a["compliant"], false, "the tagged flow needs unit-test");
    let rule = &a["policy_decisions"][0]["rule_evaluations"][2];
    assert_eq!(rule["resolutions"][0]["type"], "missing_attestation");
    assert_eq!(
        by_fp(&snap["artifacts"], &fpb)["compliant"],
        true,
        "untagged flow: not applicable"
    );
    assert_eq!(
        m.json("environments/acme/prod").await["policies"],
        json!(["tested"])
    );
    let listed = m.json("environments/acme").await;
    let prod = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "prod")
        .unwrap();
    assert_eq!(
        prod["policies"],
        json!(["tested"]),
        "lists show attached policies too"
    );

    attest(
        m,
        "ci",
        "t1",
        json!({"attestation_name": "unit-test", "artifact_fingerprint": fpa}),
    )
    .await;
    assert_eq!(m.json("snapshots/acme/prod/-1").await["compliant"], true);

    let gate = |env: &str| format!("asserts/acme/fingerprint/{fpu}?environment_name={env}");
    running.extend(pods("nginx", &fpu, 1));
    assert_eq!(report(&srv.snapshotter, "prod", running).await, (3, true));
    assert_eq!(
        m.json("snapshots/acme/prod/-1").await["compliant"],
        false,
        "no provenance"
    );
    let no = m.json(&gate("prod")).await;
    assert_eq!(
        (no["compliant"].as_bool(), no["scope"].as_str()),
        (Some(false), Some("environment"))
    );
    let resolution = &no["policy_evaluations"][0]["rule_evaluations"][0]["resolutions"][0];
    assert_eq!(resolution["type"], "no_provenance");
    let allow =
        json!({"artifact_fingerprint": fpu, "artifact_name": "nginx", "description": "vendor"});
    ok(m.put("allowlists/acme/prod", allow).await, 201);
    assert_eq!(m.json("snapshots/acme/prod/-1").await["compliant"], true);
    assert_eq!(m.json(&gate("prod")).await["compliant"], true);

    srv.at(T0 + 200.0);
    assert_eq!(
        attach(m, "prod", &["tested"], Method::DELETE).await["snapshot"],
        4
    );
    let snap = m.json("snapshots/acme/prod/-1").await;
    assert_eq!(snap["applied_policies"], json!([]));
    assert_eq!(
        m.json("snapshots/acme/prod/3").await["applied_policies"][0]["name"],
        "tested"
    );

    // As the Kosli CLI lists them (it sends an empty interval).
    let listed = m
        .json("snapshots/acme/prod?interval=&page=1&per_page=15&reverse=false")
        .await;
    let mut from_list = Vec::new();
    for s in listed.as_array().expect("a list") {
        let index = s["index"].as_i64().expect("an index");
        let doc = m.json(&format!("snapshots/acme/prod/{index}")).await;
        assert_eq!(
            s["compliant"], doc["compliant"],
            "#{index}: list and document agree"
        );
        from_list.push((index, s["compliant"].as_bool().expect("a bool")));
    }
    assert_eq!(
        from_list,
        [(4, false), (3, true), (2, true), (1, true)],
        "#4 runs nginx without a policy to allow it"
    );
    srv.stop().await;
}

#[tokio::test]
async fn trail_compliance_spans_trails_unless_excepted() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    fixtures::flow(m, "beta-scan", EMPTY_TEMPLATE).await;
    ok(
        m.patch(
            "tags/acme/flow/beta-scan",
            json!({"set_tags": {"env": "beta"}}),
        )
        .await,
        200,
    );
    let fpa = fp("d1");
    artifact(m, "ci", &fpa, "app:1", &sha("a"), Some("t1"), None).await;
    artifact(m, "beta-scan", &fpa, "app:1", &sha("a"), Some("s1"), None).await;
    let red =
        json!({"attestation_name": "scan", "artifact_fingerprint": fpa, "is_compliant": false});
    attest(m, "beta-scan", "s1", red).await;
    let strict = format!("{SCHEMA}artifacts:\n  trail-compliance:\n    required: true\n");
    let excepted = format!(
        "{strict}    exceptions:\n      - if: ${{{{ exists(flow.tags.env) and flow.tags.env != \"prod\" }}}}\n"
    );
    ok(put_policy(m, "strict", &strict).await, 201);
    ok(put_policy(m, "excepted", &excepted).await, 201);
    let gate = |p: &str| format!("asserts/acme/fingerprint/{fpa}?policy_name={p}");
    let no = m.json(&gate("strict")).await;
    assert_eq!(
        (no["compliant"].as_bool(), no["scope"].as_str()),
        (Some(false), Some("policy"))
    );
    let kinds: Vec<&str> = no["policy_evaluations"][0]["rule_evaluations"][1]["resolutions"]
        .as_array()
        .expect("resolutions")
        .iter()
        .map(|r| r["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["rule_satisfied", "non_compliant_in_trail"]);
    assert_eq!(m.json(&gate("excepted")).await["compliant"], true);
    let both = format!("{}&policy_name=excepted", gate("strict"));
    assert_eq!(
        m.json(&both).await["policy_evaluations"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    srv.stop().await;
}

#[tokio::test]
async fn decision_rules_need_a_decision_for_their_control() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    let fpa = fp("e1");
    artifact(m, "ci", &fpa, "app:1", &sha("a"), Some("t1"), None).await;
    fixtures::beta(&srv.admin, "acme").await;
    for control in ["SOX-1", "SOX-2"] {
        let made = m.post(
            "controls/acme",
            json!({"identifier": control, "name": control}),
        );
        ok(made.await, 201);
    }
    let decide = |name: &str, control: &str| {
        let data = json!({"attestation_name": name, "artifact_fingerprint": fpa,
            "type_name": "decision", "control": control,
            "attestation_data": {"is_compliant": true}});
        m.form(
            Method::POST,
            "attestations/acme/ci/trail/t1/system",
            Some(data),
            &[],
        )
    };
    ok(decide("change-approval", "SOX-2").await, 201);
    let policy = format!(
        "{SCHEMA}artifacts:\n  attestations:\n    - name: \"*\"\n      type: decision\n      for_control: SOX-1\n"
    );
    ok(put_policy(m, "sox", &policy).await, 201);
    let gate = format!("asserts/acme/fingerprint/{fpa}?policy_name=sox");
    let no = m.json(&gate).await;
    assert_eq!(no["compliant"], false, "a decision on another control");
    let resolution = &no["policy_evaluations"][0]["rule_evaluations"][2]["resolutions"][0];
    assert_eq!(resolution["type"], "missing_attestation");
    assert_eq!(resolution["context"]["for_control"], "SOX-1");
    ok(decide("release-approval", "SOX-1").await, 201);
    assert_eq!(m.json(&gate).await["compliant"], true);
    srv.stop().await;
}
