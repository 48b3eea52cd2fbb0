//! Flows (template file and legacy forms, get, list with and without paging,
//! archive, tags) and trails (begin is idempotent and keeps omitted fields,
//! get with events, org-wide and per-flow lists).

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, STRICT_TEMPLATE};
use crate::harness::{T0, TestServer, fails, fails_like, ok, sha, start};
use custody_store::testing::TestDatabase;

fn names(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect()
}

/// Flows: create, update, legacy create, get, list, page, archive and tag.
pub async fn flows_scenario(srv: &TestServer) {
    let m = &srv.member;
    let data = json!({"name": "runner", "description": "builds it"});
    let files = [("template_file", STRICT_TEMPLATE)];
    let created = ok(
        m.form(Method::PUT, "flows/acme/template_file", Some(data), &files)
            .await,
        201,
    );
    assert_eq!(created["name"], "runner");
    assert_eq!(created["org"], "acme");
    assert_eq!(created["template"], STRICT_TEMPLATE);
    assert_eq!(created["visibility"], "private");
    assert_eq!(created["created_at"], T0);
    assert_eq!(created["archived"], false);

    srv.at(T0 + 10.0);
    let data = json!({"name": "runner", "description": "builds it, v2", "visibility": "public"});
    let again = ok(
        m.form(Method::PUT, "flows/acme/template_file", Some(data), &files)
            .await,
        200,
    );
    assert_eq!(again["description"], "builds it, v2");
    assert_eq!(again["visibility"], "public");
    assert_eq!(again["created_at"], T0, "an update keeps the creation time");

    let legacy = json!({"name": "legacy", "template": ["artifact", "branch-coverage"]});
    let legacy = ok(m.put("flows/acme", legacy).await, 201);
    assert_eq!(legacy["template"], "artifact branch-coverage");
    let implied = ok(
        m.put(
            "flows/acme",
            json!({"name": "implied", "template": ["lint"]}),
        )
        .await,
        201,
    );
    assert_eq!(
        implied["template"], "lint artifact",
        "'artifact' is always part of a legacy template"
    );

    let got = m.json("flows/acme/runner").await;
    assert_eq!(
        (got["name"].as_str(), got["description"].as_str()),
        (Some("runner"), Some("builds it, v2"))
    );
    assert_eq!(got["last_deployment_at"], serde_json::Value::Null);

    let all = m.json("flows/acme").await;
    assert_eq!(
        names(&all),
        ["implied", "legacy", "runner"],
        "a plain array, by name"
    );
    let found = m
        .json("flows/acme?search_by_name=LEG&case_sensitive=false")
        .await;
    assert_eq!(names(&found), ["legacy"]);

    let archived = ok(
        m.call(
            Method::PUT,
            "flows/acme/implied/archive",
            custody_client::Body::None,
        )
        .await,
        200,
    );
    assert_eq!(archived["archived"], true);
    assert_eq!(
        names(&m.json("flows/acme").await),
        ["legacy", "runner"],
        "archived flows are hidden"
    );
    assert_eq!(
        m.json("flows/acme/implied").await["archived"],
        true,
        "but can still be read"
    );

    let tags = ok(
        m.patch(
            "tags/acme/flow/legacy",
            json!({"set_tags": {"team": "ci", "tier": "1"}}),
        )
        .await,
        200,
    );
    assert_eq!(tags, json!({"team": "ci", "tier": "1"}));
    let change = json!({"set_tags": {"owner": "me"}, "remove_tags": ["tier"]});
    assert_eq!(
        ok(m.patch("tags/acme/flow/legacy", change).await, 200),
        json!({"owner": "me", "team": "ci"})
    );
    assert_eq!(
        m.json("flows/acme/legacy").await["tags"],
        json!({"owner": "me", "team": "ci"})
    );
    fails(
        m.patch("tags/acme/flow/legacy", json!({"set_tags": {"-x": "1"}}))
            .await,
        400,
        "tag key '-x' is not valid: it must match ^[A-Za-z0-9][A-Za-z0-9._~-]*$",
    );
    fails(
        m.patch("tags/acme/trail/legacy", json!({"set_tags": {"a": "1"}}))
            .await,
        400,
        "'trail' resources cannot be tagged: use flow, environment, control or repo",
    );
    assert_eq!(
        m.json("flows/acme/legacy").await["tags"],
        json!({"owner": "me", "team": "ci"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn flows_are_created_listed_archived_and_tagged() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    flows_scenario(&srv).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn trails_begin_idempotently_and_list_org_wide() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "runner", STRICT_TEMPLATE).await;
    fixtures::flow(m, "docs", EMPTY_TEMPLATE).await;

    srv.at(T0 + 1.0);
    let commit = json!({"sha1": sha("ab12"), "message": "fix", "author": "me", "timestamp": 1.0, "branch": "main"});
    let data = json!({"name": "t1", "description": "first", "user_data": {"k": 1},
                      "git_commit_info": commit, "origin_url": "https://ci.example/1"});
    let begun = ok(
        m.form(Method::PUT, "trails/acme/runner", Some(data), &[])
            .await,
        201,
    );
    assert_eq!(begun["name"], "t1");
    assert_eq!(begun["flow"]["name"], "runner");
    assert_eq!(
        begun["compliance_state"], "INCOMPLETE",
        "pr and the runner artifact are missing"
    );
    assert_eq!(
        begun["template"]["content"], STRICT_TEMPLATE,
        "the flow's template applies"
    );
    assert_eq!(
        (&begun["template"]["version"], &begun["template"]["trail"]),
        (
            &json!(1),
            &json!({"attestations": [{"name": "pr", "type": "generic"}],
                    "artifacts": [{"name": "runner", "attestations": [{"name": "unit-test", "type": "generic"}]}]})
        ),
        "Kosli's shape of a template"
    );

    srv.at(T0 + 5.0);
    let again = ok(
        m.form(
            Method::PUT,
            "trails/acme/runner",
            Some(json!({"name": "t1"})),
            &[],
        )
        .await,
        200,
    );
    assert_eq!(again["description"], "first", "omitted fields are kept");
    assert_eq!(again["user_data"], json!({"k": 1}));
    assert_eq!(again["git_commit_info"], commit);
    assert_eq!(again["origin_url"], "https://ci.example/1");
    assert_eq!(
        (
            again["created_at"].as_f64(),
            again["last_modified_at"].as_f64()
        ),
        (Some(T0 + 1.0), Some(T0 + 5.0))
    );

    srv.at(T0 + 6.0);
    let fingerprint = crate::harness::fp("c0de1");
    fixtures::artifact(
        m,
        "runner",
        &fingerprint,
        "runner:1",
        &sha("ab12"),
        Some("t1"),
        Some("runner"),
    )
    .await;
    let trail = m.json("trails/acme/runner/t1").await;
    let events: Vec<(&str, f64)> = trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("type"),
                e["timestamp"].as_f64().expect("timestamp"),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("trail_reported", T0 + 1.0),
            ("trail_updated", T0 + 5.0),
            ("artifact_creation_reported", T0 + 6.0)
        ]
    );
    assert_eq!(
        trail["events"][2]["artifact_fingerprint"],
        fingerprint.as_str()
    );
    assert_eq!(
        trail["compliance_status"]["artifacts_statuses"]["runner"]["status"],
        "INCOMPLETE"
    );

    srv.at(T0 + 10.0);
    ok(
        m.form(
            Method::PUT,
            "trails/acme/docs",
            Some(json!({"name": "d1"})),
            &[],
        )
        .await,
        201,
    );
    let list = m.json("trails/acme").await;
    let listed: Vec<(&str, &str)> = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|t| {
            (
                t["flow"].as_str().expect("flow"),
                t["name"].as_str().expect("name"),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("docs", "d1"), ("runner", "t1")],
        "newest first, across flows"
    );
    assert_eq!(
        list["pagination"],
        json!({"page": 1, "page_count": 1, "total": 2})
    );
    let by_fp = m
        .json(&format!("trails/acme?fingerprint={fingerprint}"))
        .await;
    assert_eq!(by_fp["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(m.json("trails/acme/docs").await["data"][0]["name"], "d1");

    let tag = json!({"set_tags": {"team": "web"}, "remove_tags": []});
    ok(m.patch("tags/acme/flow/docs", tag).await, 200);
    let names = |list: Value| -> Vec<String> {
        let data = list["data"].as_array().cloned().unwrap_or_default();
        data.iter()
            .map(|t| t["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(names(m.json("trails/acme?flow_tag=team=web").await), ["d1"]);
    assert!(names(m.json("trails/acme?flow_tag=team=ops").await).is_empty());
    assert!(names(m.json("trails/acme?flow=runner&flow_tag=team=web").await).is_empty());
    fails_like(
        m.get("trails/acme?flow_tag=team").await,
        400,
        "",
        "is not in the format key=value",
    );

    fails(
        m.get("trails/acme/runner/nope").await,
        404,
        "Trail with name 'nope' does not exist for Organization 'acme' and Flow 'runner'",
    );
    srv.stop().await;
}
