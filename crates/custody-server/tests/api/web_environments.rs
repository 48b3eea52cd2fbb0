//! The environments list in the web UI: each environment's current
//! compliance, fifty a page, and the same filters as the API's list (exact
//! types, tags as `key`, `key:value` or `key=value`).

use custody_store::testing::TestDatabase;
use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{ok, start};
use crate::web::{page, session};

#[tokio::test]
async fn the_environments_list_shows_current_compliance_a_page_at_a_time() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::flow(m, "ci", EMPTY_TEMPLATE).await;
    let known = "a".repeat(64);
    fixtures::artifact(m, "ci", &known, "app:1", &"d".repeat(40), Some("t1"), None).await;
    for (env, fp) in [("green", known.clone()), ("red", "b".repeat(64))] {
        fixtures::environment(m, env).await;
        let report = json!({"artifacts": [crate::harness::pod("p", "app:1", &fp, 1)]});
        let path = format!("environments/acme/{env}/report/K8S");
        ok(m.put(&path, report).await, 200);
    }
    fixtures::environment(m, "quiet").await;
    let listed = ok(m.get("environments/acme").await, 200);
    let states: Vec<(&str, &serde_json::Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), &e["state"]))
        .collect();
    assert_eq!(
        states,
        [
            ("green", &json!(true)),
            ("quiet", &serde_json::Value::Null),
            ("red", &json!(false))
        ],
        "an unknown artifact makes red non-compliant; quiet has no snapshot yet"
    );

    let cookie = session(&ts, "reader").await;
    let (_, _, html) = page(&format!("{}/acme/environments/", ts.base), &cookie).await;
    let row = |name: &str| {
        let at = html.find(&format!(">{name}</a>")).expect(name);
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(
        row("green").contains("badge ok\">COMPLIANT"),
        "{}",
        row("green")
    );
    assert!(row("red").contains("NON-COMPLIANT"), "{}", row("red"));
    assert!(!row("quiet").contains("COMPLIANT"), "{}", row("quiet"));
    assert!(!html.contains("Page 1 of"), "one page needs no pager");

    for i in 0..50 {
        fixtures::environment(m, &format!("svc-{i:02}")).await;
    }
    let (_, _, first) = page(&format!("{}/acme/environments/?name=svc", ts.base), &cookie).await;
    assert_eq!(first.matches("href=\"/acme/environments/svc-").count(), 50);
    assert!(!first.contains("Page 1 of"), "50 fit on one page");
    let (_, _, all) = page(&format!("{}/acme/environments/", ts.base), &cookie).await;
    assert!(all.contains("Page 1 of 2 (53 in all)"), "{all}");
    assert!(all.contains("href=\"?page=2\""));
    let (_, _, second) = page(&format!("{}/acme/environments/?page=2", ts.base), &cookie).await;
    assert_eq!(
        second.matches("href=\"/acme/environments/").count() - navigation_links(&second),
        3,
        "the last three of 53 by name: {second}"
    );
    assert!(second.contains(">svc-49</a>") && !second.contains(">green</a>"));

    // The page filters as the API does: exact types, tags as key, key:value or key=value.
    ok(
        m.put("environments/acme", json!({"name": "edge", "type": "ECS"}))
            .await,
        201,
    );
    let tag = json!({"set_tags": {"team": "web"}, "remove_tags": []});
    ok(m.patch("tags/acme/environment/edge", tag).await, 200);
    let base = format!("{}/acme/environments/", ts.base);
    assert_eq!(listed_on(&base, &cookie, "type=ECS").await, 1);
    assert_eq!(listed_on(&base, &cookie, "type=K8S&name=svc-0").await, 10);
    assert_eq!(listed_on(&base, &cookie, "type=ECS&name=svc").await, 0);
    for tag in ["team", "team%3Aweb", "team%3Dweb"] {
        assert_eq!(
            listed_on(&base, &cookie, &format!("tag={tag}")).await,
            1,
            "{tag}"
        );
    }
    assert_eq!(listed_on(&base, &cookie, "tag=team%3Dops").await, 0);
    let (status, _, html) =
        page(&format!("{}/acme/environments/?type=k8s", ts.base), &cookie).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "types are exact: {html}");
    assert!(html.contains("types are case-sensitive"), "{html}");
}

/// How many environments the environments page at `base` lists for `query`.
async fn listed_on(base: &str, cookie: &str, query: &str) -> usize {
    let (status, _, html) = page(&format!("{base}?{query}"), cookie).await;
    assert_eq!(status, StatusCode::OK, "{query}: {html}");
    let main = html.find("<main").unwrap_or(0);
    html[main..].matches("href=\"/acme/environments/").count()
}

/// Links to environments every page has in its navigation.
fn navigation_links(html: &str) -> usize {
    let main = html.find("<main").unwrap_or(0);
    html[..main].matches("href=\"/acme/environments/").count()
}
