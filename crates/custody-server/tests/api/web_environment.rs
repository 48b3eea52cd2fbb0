//! One environment's page says what its API documents say: the compliance of
//! its latest snapshot, its snapshots newest first, the events of each, and a
//! timeline lane per flow linking to the artifacts it knows.

use custody_store::testing::TestDatabase;
use reqwest::StatusCode;
use serde_json::Value;

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{TestServer, pod, start};
use crate::web::{page, session};

/// The page's badge (in its heading) and its HTML.
async fn environment_page(ts: &TestServer, cookie: &str) -> (String, String) {
    let url = format!("{}/acme/environments/prod", ts.base);
    let (status, _, html) = page(&url, cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let heading = html
        .split("<h1>")
        .nth(1)
        .and_then(|h| h.split("</h1>").next())
        .expect("a heading")
        .to_string();
    (heading, html)
}

/// What the API says of the environment's state: the page's badge word.
async fn api_badge(ts: &TestServer) -> &'static str {
    match ts.reader.json("environments/acme/prod").await["state"] {
        Value::Bool(true) => "COMPLIANT",
        Value::Bool(false) => "NON-COMPLIANT",
        _ => "UNKNOWN",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_environment_page_says_what_its_documents_say() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::flow(m, "app", EMPTY_TEMPLATE).await;
    let (known, unknown) = ("a".repeat(64), "b".repeat(64));
    fixtures::artifact(m, "app", &known, "app:1", &"c".repeat(40), None, None).await;
    fixtures::environment(m, "prod").await;
    let cookie = session(&ts, "reader").await;
    let (heading, _) = environment_page(&ts, &cookie).await;
    assert!(heading.contains(">UNKNOWN<"), "no snapshot yet: {heading}");

    fixtures::report(m, "prod", vec![pod("p1", "app:1", &known, 1)]).await;
    let (heading, _) = environment_page(&ts, &cookie).await;
    assert_eq!(api_badge(&ts).await, "COMPLIANT");
    assert!(heading.contains(">COMPLIANT<"), "{heading}");

    let pods = vec![
        pod("p1", "app:1", &known, 1),
        pod("p2", "registry/team/sidecar:9", &unknown, 2),
    ];
    fixtures::report(m, "prod", pods).await;
    fixtures::report(
        m,
        "prod",
        vec![pod("p2", "registry/team/sidecar:9", &unknown, 2)],
    )
    .await;
    let (heading, html) = environment_page(&ts, &cookie).await;
    assert_eq!(api_badge(&ts).await, "NON-COMPLIANT");
    assert!(
        heading.contains(">NON-COMPLIANT<"),
        "an unknown artifact runs: {heading}"
    );

    let rows: Vec<usize> = (1..=3)
        .rev()
        .map(|i| {
            let link = format!("/acme/environments/prod/snapshots/{i}\">#{i}</a>");
            html.find(&link)
                .unwrap_or_else(|| panic!("no row for #{i}"))
        })
        .collect();
    assert!(rows.is_sorted(), "snapshots newest first");

    let events = ts.reader.json("environments/acme/prod/events").await;
    let events = events.as_array().expect("events");
    assert_eq!(events.len(), 3, "{events:?}");
    let mut at = 0;
    for e in events {
        let row = format!(
            "<td>#{}</td><td>{}</td><td>{}</td><td>{}</td>",
            e["snapshot_index"],
            e["type"].as_str().unwrap(),
            e["artifact_name"].as_str().unwrap(),
            e["description"].as_str().unwrap()
        );
        at += html[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("{row} missing or out of order"));
    }

    let timeline = html.split("class=\"timeline\"").nth(1).expect("a timeline");
    assert!(
        timeline.contains(&format!("/acme/flows/app/artifacts/{known}")),
        "a known artifact links to its page"
    );
    assert!(
        timeline.contains(">app<") && timeline.contains(">sidecar<"),
        "lanes are named by flow, else by image"
    );
    ts.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_busy_environment_s_timeline_draws_its_last_snapshots() {
    let db = TestDatabase::sqlite();
    let ts = start(&db).await;
    let m = &ts.member;
    fixtures::environment(m, "prod").await;
    let (gone, scaled) = ("d".repeat(64), "e".repeat(64));
    fixtures::report(m, "prod", vec![pod("p0", "old:1", &gone, 1)]).await;
    let reports = 520;
    for i in 2..=reports {
        let mut pods = vec![pod("p1", "app:2", &scaled, 1)];
        if i % 2 == 0 {
            pods.push(pod("p2", "app:2", &scaled, 2));
        }
        let (index, _) = fixtures::report(m, "prod", pods).await;
        assert_eq!(index, i);
    }
    let cookie = session(&ts, "reader").await;
    let (_, html) = environment_page(&ts, &cookie).await;
    let first = reports - 500 + 1;
    assert!(
        html.contains(&format!(
            "draws the last 500 snapshots, from <a href=\"/acme/environments/prod/snapshots/{first}\">#{first}</a>"
        )),
        "the page says where the timeline starts"
    );
    let timeline = html.split("class=\"timeline\"").nth(1).expect("a timeline");
    assert!(
        timeline.contains(">app<"),
        "what ran in the last snapshots is drawn"
    );
    assert!(
        !timeline.contains(">old<"),
        "what ended before them is not: {timeline}"
    );
    ts.stop().await;
}
