//! The web UI's sessions over HTTP: signing in sets a strict, HttpOnly cookie;
//! forms from other sites and forms without the session's CSRF token are
//! refused; a tampered or expired cookie, or another org's page, shows nothing.

use custody_core::Timestamp;
use custody_server::admin;
use custody_store::testing::TestDatabase;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};

use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::json;

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{T0, ok, start};

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post_form(
    url: &str,
    body: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = browser()
        .post(url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    request.send().await.unwrap()
}

pub(crate) async fn page(url: &str, cookie: &str) -> (StatusCode, String, String) {
    let r = browser()
        .get(url)
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), location, r.text().await.unwrap())
}

#[tokio::test]
async fn sessions_are_strict_signed_and_scoped_to_their_org() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let key = admin::create_api_key(
        ts.state.store.as_ref(),
        "acme",
        "reader",
        "viewer",
        Timestamp::from_seconds(T0),
    )
    .await
    .unwrap()
    .key;
    let sign_in = format!("{}/sign-in", ts.base);

    let bad = post_form(&sign_in, "key=nope", None, None).await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert!(bad.headers().get(SET_COOKIE).is_none());

    let forged = post_form(
        &sign_in,
        &format!("key={key}"),
        None,
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get(SET_COOKIE).is_none());

    let ok = post_form(
        &sign_in,
        &format!("key={key}&next=/acme/environments/"),
        None,
        None,
    )
    .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(ok.headers()[LOCATION], "/acme/environments/");
    let set = ok.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();

    let (status, _, html) = page(&format!("{}/acme/flows/", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Flows</h1>"), "{html}");
    let (status, _, html) = page(&format!("{}/other/flows/", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Flows</h1>"));

    let tampered = format!("{}x", cookie);
    let (status, location, _) = page(&format!("{}/acme/flows/", ts.base), &tampered).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/?next=%2Facme%2Fflows%2F");

    let sign_out = format!("{}/sign-out", ts.base);
    let refused = post_form(&sign_out, "csrf=wrong", Some(&cookie), None).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let csrf = html_value(
        &page(&format!("{}/acme/flows/", ts.base), &cookie).await.2,
        "csrf",
    );
    let out = post_form(&sign_out, &format!("csrf={csrf}"), Some(&cookie), None).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );

    ts.at(T0 + 13.0 * 3600.0);
    let (status, _, _) = page(&format!("{}/acme/flows/", ts.base), &cookie).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a session ends after 12 hours"
    );
}

/// Signs in with a new key of `role` in `acme`; the session cookie.
pub(crate) async fn session(ts: &crate::harness::TestServer, role: &str) -> String {
    let account = format!("browser-{role}");
    let key = admin::create_api_key(
        ts.state.store.as_ref(),
        "acme",
        role,
        &account,
        Timestamp::from_seconds(T0),
    )
    .await
    .unwrap()
    .key;
    let r = post_form(
        &format!("{}/sign-in", ts.base),
        &format!("key={key}"),
        None,
        None,
    )
    .await;
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    set.split(';').next().unwrap().to_string()
}

/// A report as `pytest --junitxml` writes it.
const PYTEST_REPORT: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="3" time="0.031" timestamp="2022-08-22T11:35:00.000000" hostname="ci"><testcase classname="tests.test_app" name="test_ok" time="0.001" /><testcase classname="tests.test_app" name="test_sum" time="0.002"><failure message="assert 3 == 4">def test_sum():
&gt;       assert 1 + 2 == 4
E       assert 3 == 4

tests/test_app.py:5: AssertionError</failure></testcase><testcase classname="tests.test_app" name="test_name" time="0.001" /></testsuite></testsuites>"#;

#[tokio::test]
async fn the_trail_page_shows_each_attestation_and_its_evidence() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    let fp = "c".repeat(64);
    fixtures::artifact(m, "ci", &fp, "app:1", &"d".repeat(40), Some("t1"), None).await;
    let results = json!([{"name": "suite", "total": 3, "failures": 1, "errors": 0, "skipped": 0}]);
    let data = json!({"attestation_name": "unit-test", "artifact_fingerprint": fp,
        "junit_results": results, "origin_url": "javascript:alert(1)",
        "failing_cases": [{"suite": "s", "classname": "", "name": "made-up", "outcome": "failure", "message": ""}]});
    let form = FormBody {
        fields: vec![("data_json".into(), data)],
        files: vec![(
            "attachment_file".into(),
            "report.xml".into(),
            PYTEST_REPORT.as_bytes().to_vec().into(),
        )],
    };
    let path = "attestations/acme/ci/trail/t1/junit";
    ok(m.call(Method::POST, path, Body::Form(form)).await, 201);

    let cookie = session(&ts, "reader").await;
    let (status, _, html) = page(&format!("{}/acme/flows/ci/trails/t1", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("3 tests in 1 suites: 1 failures, 0 errors, 0 skipped"),
        "{html}"
    );
    assert!(html.contains("failing suite suite: 1 failures, 0 errors"));
    assert!(
        html.contains("failure in pytest › tests.test_app.test_sum: assert 3 == 4"),
        "the failing case, read from the uploaded XML: {html}"
    );
    assert!(
        !html.contains("made-up"),
        "failing cases are the server's reading, never the caller's"
    );
    let tiles = &html[html.find("class=\"tiles\"").expect("attestation tiles")..];
    let tile = &tiles[..tiles.find("</div></div>").unwrap()];
    assert!(
        tile.contains("unit-test") && tile.contains("NON-COMPLIANT") && !tile.contains("COMPLETE"),
        "a reported attestation whose tests failed is NON-COMPLIANT, not COMPLETE: {tile}"
    );
    assert!(
        !html.contains("javascript:"),
        "a stored javascript: URL is never a link"
    );
    let marker = "/acme/flows/ci/trails/t1/attestations/";
    let start = html.find(marker).expect("an evidence link");
    let link = html[start..].split('"').next().unwrap();
    assert!(html.contains(">report.xml</a>"));
    let r = browser()
        .get(format!("{}{link}", ts.base))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PYTEST_REPORT.as_bytes());

    let package = "/acme/flows/ci/trails/t1/audit-package";
    assert!(
        html.contains(&format!("href=\"{package}\"")),
        "a download button"
    );
    let r = browser()
        .get(format!("{}{package}", ts.base))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/gzip");
    assert_eq!(
        &r.bytes().await.unwrap()[..2],
        [0x1f, 0x8b],
        "a gzip stream"
    );
    let anonymous = browser()
        .get(format!("{}{package}", ts.base))
        .send()
        .await
        .unwrap();
    assert_ne!(
        anonymous.status(),
        StatusCode::OK,
        "nobody without a session downloads"
    );
}

#[tokio::test]
async fn settings_list_accounts_and_keys_to_admins_only() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let made = admin::create_api_key(
        ts.state.store.as_ref(),
        "acme",
        "member",
        "deployer",
        Timestamp::from_seconds(T0),
    )
    .await
    .unwrap();
    admin::create_api_key(
        ts.state.store.as_ref(),
        "other",
        "admin",
        "outsider",
        Timestamp::from_seconds(T0),
    )
    .await
    .unwrap();
    let admin_cookie = session(&ts, "admin").await;
    let (status, _, html) = page(&format!("{}/acme/settings", ts.base), &admin_cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("deployer") && html.contains(&made.id),
        "{html}"
    );
    assert!(
        !html.contains(&made.key),
        "a key's secret is never shown again"
    );
    assert!(
        !html.contains("outsider"),
        "another org's accounts stay hidden"
    );
    let reader_cookie = session(&ts, "reader").await;
    let (status, _, html) = page(&format!("{}/acme/settings", ts.base), &reader_cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("deployer"));
}

#[tokio::test]
async fn the_metrics_pages_chart_deployments_and_name_the_failed_one() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let (_, rolled_back) = crate::dora::rollback_history(&ts).await;
    let cookie = session(&ts, "reader").await;
    let (status, _, html) = page(
        &format!("{}/acme/environments/prod/metrics?window=7", ts.base),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<strong>4</strong> (0.57 a day)"), "{html}");
    assert!(html.contains("<strong>25%</strong>"), "change failure rate");
    let chart = &html[html.find("<svg").expect("a chart")..];
    assert_eq!(
        chart[..chart.find("</svg>").unwrap()]
            .matches("class=\"bad\"")
            .count(),
        1,
        "the day the rolled-back version started is red"
    );
    assert!(html.contains(&format!("/acme/flows/app/artifacts/{rolled_back}")));
    assert!(html.contains("rolled back"));
    let (status, _, flow) = page(&format!("{}/acme/flows/app/metrics", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(flow.contains("Delivery metrics: flow app") && flow.contains(">prod</a>"));
    let (status, _, _) = page(&format!("{}/acme/flows/nope/metrics", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_logical_environment_shows_its_members_and_what_runs_in_them() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    for (env, fp) in [("blue", "1"), ("green", "2")] {
        fixtures::environment(m, env).await;
        let report = json!({"artifacts": [crate::harness::pod("p", &format!("app:{env}"), &fp.repeat(64), 1)]});
        ok(
            m.put(&format!("environments/acme/{env}/report/K8S"), report)
                .await,
            200,
        );
    }
    let all = json!({"name": "all", "type": "logical", "included_environments": ["blue", "green"]});
    ok(m.put("environments/acme", all).await, 201);
    let cookie = session(&ts, "reader").await;
    let (_, _, list) = page(&format!("{}/acme/environments/", ts.base), &cookie).await;
    assert_eq!(
        list.matches("<td>1 artifacts, 1 instances</td>").count(),
        2,
        "{list}"
    );
    let (status, _, html) = page(&format!("{}/acme/environments/all", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/acme/environments/blue\"")
            && html.contains("href=\"/acme/environments/green\""),
        "{html}"
    );
    let (status, _, html) = page(
        &format!("{}/acme/environments/all/snapshots/-1", ts.base),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("app:blue") && html.contains("app:green"),
        "{html}"
    );
    assert!(html.contains("all now"));
}

#[tokio::test]
async fn the_artifact_page_says_where_it_runs_with_how_many_replicas() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::flow(m, "app", EMPTY_TEMPLATE).await;
    let fp = "e".repeat(64);
    fixtures::artifact(m, "app", &fp, "app:2", &"f".repeat(40), None, None).await;
    fixtures::environment(m, "prod").await;
    let pods: Vec<_> = (0..2)
        .map(|i| crate::harness::pod(&format!("p{i}"), "app:2", &fp, i))
        .collect();
    ok(
        m.put(
            "environments/acme/prod/report/K8S",
            json!({"artifacts": pods}),
        )
        .await,
        200,
    );
    let cookie = session(&ts, "reader").await;
    let url = format!("{}/acme/flows/app/artifacts/{fp}", ts.base);
    let (status, _, html) = page(&url, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let row = format!("prod/snapshots/1?fingerprint={fp}\">#1</a></td><td>2</td>");
    assert!(html.contains(&row), "{html}");
}

#[tokio::test]
async fn the_snapshot_page_shows_each_policy_decision_with_its_failed_rules() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::environment(m, "prod").await;
    let pod = crate::harness::pod("p", "mystery:1", &"9".repeat(64), 1);
    ok(
        m.put(
            "environments/acme/prod/report/K8S",
            json!({"artifacts": [pod]}),
        )
        .await,
        200,
    );
    let yaml = "_schema: https://kosli.com/schemas/policy/environment/v1\nartifacts:\n  provenance:\n    required: true\n";
    ok(crate::policies::put_policy(m, "known", yaml).await, 201);
    let attach = Body::Json(json!({"policy_names": ["known"]}));
    ok(
        m.call(Method::POST, "environments/acme/prod/policies", attach)
            .await,
        200,
    );
    let cookie = session(&ts, "reader").await;
    let url = format!("{}/acme/environments/prod/snapshots/2", ts.base);
    let (status, _, html) = page(&url, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<th scope=\"col\">Policies</th>"), "{html}");
    assert!(html.contains("known v1 (failed: provenance)"), "{html}");

    let (status, _, html) = page(&format!("{}/acme/policies", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("attached to prod"), "{html}");
    assert!(html.contains("Version 1"), "{html}");
    assert!(
        html.contains("provenance:"),
        "the policy's YAML is shown: {html}"
    );
}

/// The value of a hidden input.
fn html_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the input") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn artifact_documents_link_their_page() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let flow = serde_json::json!({"name": "app", "description": "", "visibility": "private", "template": ["artifact"]});
    ts.member.put("flows/acme", flow).await.unwrap();
    let fp = "a".repeat(64);
    let artifact = serde_json::json!({"fingerprint": fp, "filename": "app:1", "git_commit": "b".repeat(40),
        "commit_url": "https://git.example/c", "build_url": "https://ci.example/b"});
    ts.member
        .post("artifacts/acme/app", artifact)
        .await
        .unwrap();
    let doc = ts
        .reader
        .json(&format!("artifacts/acme/app/fingerprint/{fp}"))
        .await;
    assert_eq!(doc["html_url"], format!("/acme/flows/app/artifacts/{fp}"));
}

#[tokio::test]
async fn the_actions_page_lists_what_each_action_watches_and_its_targets() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    crate::fixtures::environment(&ts.member, "prod").await;
    let body = serde_json::json!({"name": "prod-alerts", "environments": ["prod"],
        "triggers": ["ON_NON_COMPLIANT_ENV", "ON_COMPLIANT_ENV"],
        "targets": [{"type": "SLACK", "webhook": "https://hooks.slack.com/services/T0/B0/secret"}]});
    crate::harness::ok(ts.member.put("actions/acme/environments", body).await, 201);
    let cookie = session(&ts, "reader").await;
    let (status, _, html) = page(&format!("{}/acme/actions", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "#1 prod-alerts",
        r#"<a href="/acme/environments/prod">prod</a>"#,
        "ON_NON_COMPLIANT_ENV, ON_COMPLIANT_ENV",
        "<td>SLACK</td><td>hooks.slack.com</td>",
        r#"<span class="badge ok">OK</span>"#,
        r#"<a href="/acme/actions">Actions</a>"#,
    ] {
        assert!(html.contains(part), "{part} is missing: {html}");
    }
    assert!(
        !html.contains("secret"),
        "a Slack webhook's secret is not shown"
    );
}
