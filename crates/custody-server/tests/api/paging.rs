//! `page` and `per_page` on every list endpoint: the envelope or slice they ask
//! for, and the range checks. Every endpoint is tried and the failures are
//! reported together, so one run names every list that mishandles them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, artifact, report};
use crate::harness::{Reply, T0, fp, pod, sha, start};
use custody_store::testing::TestDatabase;

/// Records a mismatch instead of stopping at the first.
fn check(
    problems: &mut Vec<String>,
    what: &str,
    reply: Reply,
    expected: Result<Value, (u16, &str)>,
) {
    let got = reply.map(|(_, body)| body);
    let same = match (&got, &expected) {
        (Ok(body), Ok(want)) => body == want,
        (Err((s, m)), Err((ws, wm))) => s == ws && m == wm,
        _ => false,
    };
    if !same {
        problems.push(format!("{what}: expected {expected:?}, got {got:?}"));
    }
}

fn names(list: &Value) -> Value {
    list.as_array()
        .map(|items| items.iter().map(|i| i["name"].clone()).collect())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn list_paging_parameters_are_read_as_numbers() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    for (i, name) in ["a-flow", "b-flow", "c-flow"].iter().enumerate() {
        srv.at(T0 + i as f64);
        fixtures::flow(m, name, EMPTY_TEMPLATE).await;
        m.form(
            Method::PUT,
            "trails/acme/a-flow",
            Some(json!({"name": format!("t{i}")})),
            &[],
        )
        .await
        .expect("trail");
    }
    artifact(m, "a-flow", &fp("aaaa1"), "one", &sha("c1"), None, None).await;
    artifact(m, "a-flow", &fp("aaaa2"), "two", &sha("c2"), None, None).await;
    fixtures::environment(m, "env").await;
    for n in 1..=3 {
        report(
            m,
            "env",
            (0..n)
                .map(|i| pod(&format!("p{i}"), "app", &fp("aaaa1"), i))
                .collect(),
        )
        .await;
    }

    let mut problems = Vec::new();
    let flows = m.get("flows/acme?page=2&per_page=1").await.map(|(s, b)| {
        (
            s,
            json!({"data": names(&b["data"]), "pagination": b["pagination"]}),
        )
    });
    let want = json!({"data": ["b-flow"], "pagination": {"page": 2, "page_count": 3, "total": 3}});
    check(&mut problems, "flows page 2 of 3", flows, Ok(want));
    let trails = m
        .get("trails/acme?per_page=2&page=2")
        .await
        .map(|(s, b)| (s, names(&b["data"])));
    check(
        &mut problems,
        "org trails page 2",
        trails,
        Ok(json!(["t0"])),
    );
    let trails = m
        .get("trails/acme/a-flow?per_page=1")
        .await
        .map(|(s, b)| (s, b["pagination"].clone()));
    check(
        &mut problems,
        "flow trails",
        trails,
        Ok(json!({"page": 1, "page_count": 3, "total": 3})),
    );
    let artifacts = m
        .get("artifacts/acme?per_page=1")
        .await
        .map(|(s, b)| (s, json!(b.as_array().map(Vec::len))));
    check(
        &mut problems,
        "artifacts per_page=1",
        artifacts,
        Ok(json!(1)),
    );
    let snapshots = m.get("snapshots/acme/env?per_page=1&page=2").await;
    let snapshots = snapshots.map(|(s, b)| {
        (
            s,
            b.as_array()
                .map(|a| a.iter().map(|r| r["index"].clone()).collect())
                .unwrap_or(Value::Null),
        )
    });
    check(&mut problems, "snapshots page 2", snapshots, Ok(json!([2])));
    let events = m
        .get("environments/acme/env/events?per_page=1")
        .await
        .map(|(s, b)| (s, b[0]["snapshot_index"].clone()));
    check(&mut problems, "events per_page=1", events, Ok(json!(3)));
    let envs = m
        .get("environments/acme?page=1&per_page=1")
        .await
        .map(|(s, b)| (s, b["total_count"].clone()));
    check(&mut problems, "environments envelope", envs, Ok(json!(1)));
    check(
        &mut problems,
        "flows page=0",
        m.get("flows/acme?page=0").await,
        Err((400, "page numbers start at 1")),
    );
    let too_many = Err((400, "per_page must be between 1 and 100"));
    check(
        &mut problems,
        "trails per_page=101",
        m.get("trails/acme?per_page=101").await,
        too_many,
    );
    srv.stop().await;
    assert!(
        problems.is_empty(),
        "{} list(s) mishandle paging:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
