//! An environment's event log narrowed as `log environment` asks: to the
//! artifacts of some repos (`repo_name`, repeatable; an artifact's own
//! `repo_info` or its trail's), and to a range of snapshots by index or time
//! (`start`, `end`, `start_ts`, `end_ts`), with the interval and page inside
//! it; and the values refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, report};
use crate::harness::{TestServer, fails, fp, ok, sha, start};
use crate::snapshots::{T1, T2, T3, pods};
use custody_store::testing::TestDatabase;

const T4: f64 = T3 + 3600.0;

fn repo(name: &str, id: i64) -> Value {
    json!({"name": name, "id": id, "provider": "github",
           "url": format!("https://github.com/{name}")})
}

/// `(snapshot index, fingerprint)` of each event a query finds, as listed.
async fn events(srv: &TestServer, query: &str) -> Vec<(i64, String)> {
    let list = srv
        .reader
        .json(&format!("environments/acme/log-env/events?{query}"))
        .await;
    list.as_array()
        .expect("an array of events")
        .iter()
        .map(|e| {
            let index = e["snapshot_index"].as_i64().expect("index");
            (index, e["sha256"].as_str().expect("sha256").to_string())
        })
        .collect()
}

/// Artifact A is built in a trail of repo acme/web, B names repo acme/api
/// itself, C names none; snapshots: #1 A at T1, #2 A B at T2, #3 A B C at
/// T3, #4 B C at T4.
pub async fn event_filters_scenario(srv: &TestServer) {
    let (m, s) = (&srv.member, &srv.snapshotter);
    let (a, b, c) = (fp("a1a1"), fp("b2b2"), fp("c3c3"));
    fixtures::flow(m, "log-flow", EMPTY_TEMPLATE).await;
    let trail = json!({"name": "t-web", "repo_info": repo("acme/web", 11)});
    let path = "trails/acme/log-flow";
    ok(m.form(Method::PUT, path, Some(trail), &[]).await, 201);
    for (fingerprint, trail, repo_info) in [
        (&a, Some("t-web"), Value::Null),
        (&b, Some("t-api"), repo("acme/api", 22)),
        (&c, None, Value::Null),
    ] {
        let body = json!({"fingerprint": fingerprint, "filename": "app", "git_commit": sha("d4d4"),
                          "commit_url": "", "build_url": "", "trail_name": trail,
                          "repo_info": repo_info});
        ok(m.post("artifacts/acme/log-flow", body).await, 201);
    }
    fixtures::environment(s, "log-env").await;
    let runs = |fps: &[&String]| {
        fps.iter()
            .enumerate()
            .flat_map(|(i, f)| pods(&format!("app:{i}"), f, 1))
            .collect::<Vec<_>>()
    };
    for (at, running) in [
        (T1, vec![&a]),
        (T2, vec![&a, &b]),
        (T3, vec![&a, &b, &c]),
        (T4, vec![&b, &c]),
    ] {
        srv.at(at);
        assert!(report(s, "log-env", runs(&running)).await.1);
    }
    srv.at(T4 + 60.0);
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    let of = |list: Vec<(i64, String)>| -> Vec<(i64, &str)> {
        list.iter()
            .map(|(i, f)| (*i, [a, b, c].into_iter().find(|x| x == f).expect("known")))
            .collect()
    };

    let web = events(srv, "repo_name=acme/web").await;
    assert_eq!(of(web), [(4, a), (1, a)], "A, through its trail's repo");
    let both = events(
        srv,
        "repo_name=acme/api&repo_name=acme/web&interval=&reverse=false",
    )
    .await;
    assert_eq!(of(both), [(4, a), (2, b), (1, a)], "any of the repos");
    assert!(events(srv, "repo_name=none/such").await.is_empty());
    assert_eq!(
        of(events(srv, "repo_name=acme/api&reverse=true").await),
        [(2, b)],
        "B, through its own repo"
    );

    let indexes = |list: Vec<(i64, String)>| {
        let mut seen: Vec<i64> = list.into_iter().map(|(i, _)| i).collect();
        seen.dedup();
        seen
    };
    for (query, expected) in [
        ("start=2", vec![4, 3, 2]),
        ("end=2", vec![2, 1]),
        ("start=2&end=3", vec![3, 2]),
        ("start=2&end=99", vec![4, 3, 2]),
        (&format!("start_ts={T2}") as &str, vec![4, 3, 2]),
        (&format!("end_ts={T2}"), vec![2, 1]),
        (&format!("start_ts={}&end_ts={T3}", T2 + 0.5), vec![3]),
        (&format!("start=1&start_ts={T3}"), vec![4, 3]),
        ("start=1hour&end=NOW", vec![4]),
        ("start=2023-01-01T00:00:00&end=2.hours.ago", vec![2, 1]),
        (&format!("start_ts={}", T4 + 1.0), vec![]),
        ("start=2&interval=1..3", vec![3, 2]),
        ("interval=NOW", vec![4]),
        ("start=2&per_page=1", vec![4]),
        ("start=2&per_page=1&page=3", vec![2]),
        ("start=2&per_page=1&page=4", vec![]),
    ] {
        assert_eq!(indexes(events(srv, query).await), expected, "{query}");
    }

    let url = |query: &str| format!("environments/acme/log-env/events?{query}");
    let not_a_time = "start 'soon' is neither a snapshot index nor a time such as NOW, 1hour, \
                      2.hours.ago or 2023-10-02T12:00:00";
    fails(srv.reader.get(&url("start=soon")).await, 400, not_a_time);
    fails(
        srv.reader.get(&url("end=0")).await,
        400,
        "end '0' is not a snapshot index: snapshot indexes start at 1",
    );
    fails(
        srv.reader.get(&url("end_ts=yesterday")).await,
        400,
        "end_ts 'yesterday' is not a Unix timestamp in seconds, such as 1700000000 or 1700000000.5",
    );
    fails(
        srv.reader.get(&url("start_ts=-5")).await,
        400,
        "start_ts '-5' is not a Unix timestamp in seconds, such as 1700000000 or 1700000000.5",
    );
    fails(
        srv.reader.get(&url("start=3&end=2")).await,
        400,
        "start (snapshot 3) is after end (snapshot 2)",
    );
    fails(
        srv.reader.get(&url("start_ts=20&end_ts=10")).await,
        400,
        "start (20) is after end (10)",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn event_logs_are_narrowed_to_repos_and_ranges() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    event_filters_scenario(&srv).await;
    srv.stop().await;
}
