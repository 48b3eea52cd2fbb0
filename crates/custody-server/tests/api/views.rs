//! Views over the snapshots of [`snapshots_scenario`](crate::snapshots::snapshots_scenario):
//! snapshot lists with intervals, diffs within and across environments, the
//! environment event log, search by commit and fingerprint prefix, asserts,
//! and report type checks.

use serde_json::{Value, json};

use crate::harness::{TestServer, fails, fp, sha};
use crate::snapshots::{T1, T2, T3, by_fp, fingerprints};

/// Lists, diffs and events of `env` (and `env2`).
pub async fn views_scenario(srv: &TestServer) {
    let s = &srv.snapshotter;
    let (fpa, fpb, fpu) = (fp("aaaa1"), fp("bbbb2"), fp("eeee3"));
    let list = s.json("snapshots/acme/env").await;
    let rows: Vec<(i64, f64, f64, f64)> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["index"].as_i64().unwrap(),
                r["from"].as_f64().unwrap(),
                r["to"].as_f64().unwrap(),
                r["duration"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(3, T3, 0.0, 10.0), (2, T2, T3, 3600.0), (1, T1, T2, 3600.0)]
    );
    let indexes = |v: Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["index"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        indexes(s.json("snapshots/acme/env?interval=1..2").await),
        [2, 1]
    );
    assert_eq!(
        indexes(
            s.json("snapshots/acme/env?interval=1..2&reverse=true")
                .await
        ),
        [1, 2]
    );
    fails(
        s.get("snapshots/acme/env?interval=3..1").await,
        400,
        "invalid expression: 3..1. The start is after the end",
    );

    let diff = s.json("env-diff/acme?snappish1=env#1&snappish2=env").await;
    assert_eq!(
        (
            diff["snappish1"]["snapshot_id"].as_str(),
            diff["snappish2"]["snapshot_id"].as_str()
        ),
        (Some("env#1"), Some("env#3"))
    );
    assert_eq!(diff["snappish1"]["artifacts"], json!([]));
    assert_eq!(
        fingerprints(&diff["snappish2"]["artifacts"]),
        [fpb.as_str(), fpu.as_str()]
    );
    let changed = by_fp(&diff["changed"]["artifacts"], &fpa);
    assert_eq!(
        (
            changed["s1_instance_count"].as_i64(),
            changed["s2_instance_count"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(diff["not-changed"]["artifacts"], json!([]));
    let steady = s
        .json("env-diff/acme?snappish1=env~1&snappish2=env#3")
        .await;
    assert_eq!(
        fingerprints(&steady["not-changed"]["artifacts"]),
        [fpa.as_str()],
        "2 and 2 instances"
    );
    assert_eq!(steady["changed"]["artifacts"], json!([]));
    assert_eq!(
        fingerprints(&steady["snappish2"]["artifacts"]),
        [fpb.as_str(), fpu.as_str()]
    );
    let across = s.json("env-diff/acme?snappish1=env2&snappish2=env~1").await;
    assert_eq!(
        (
            across["snappish1"]["snapshot_id"].as_str(),
            across["snappish2"]["snapshot_id"].as_str()
        ),
        (Some("env2#1"), Some("env#2"))
    );
    let changed = by_fp(&across["changed"]["artifacts"], &fpa);
    assert_eq!(
        (
            changed["s1_instance_count"].as_i64(),
            changed["s2_instance_count"].as_i64()
        ),
        (Some(1), Some(2))
    );

    let events = s.json("environments/acme/env/events").await;
    let events: Vec<(i64, &str, &str, &str, Value)> = events
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_else(|| panic!("{k} in {e}"));
            (
                e["snapshot_index"].as_i64().unwrap(),
                text("sha256"),
                text("description"),
                text("type"),
                e["pipeline"].clone(),
            )
        })
        .collect();
    let started = "1 instance started running (from 0 to 1).";
    assert_eq!(
        events,
        [
            (3, fpu.as_str(), started, "started", json!("")),
            (3, fpb.as_str(), started, "started", json!("strict")),
            (
                2,
                fpa.as_str(),
                "1 instance stopped running (from 3 to 2).",
                "scaled",
                json!("runner")
            ),
            (
                1,
                fpa.as_str(),
                "3 instances started running (from 0 to 3).",
                "started",
                json!("runner")
            ),
        ]
    );
}

/// Search, asserts and report type checks over the snapshots of [`snapshots_scenario`].
pub async fn search_and_assert_scenario(srv: &TestServer) {
    let r = &srv.reader;
    let (fpa, fpb, fpu, commit) = (fp("aaaa1"), fp("bbbb2"), fp("eeee3"), sha("ca11a"));
    let found = r.json(&format!("search/acme/sha/{}", &commit[..7])).await;
    assert_eq!(found["resolved_to"]["type"], "commit");
    assert_eq!(found["resolved_to"]["full_match"], commit.as_str());
    let a = &found["artifacts"][0];
    assert_eq!(
        (a["fingerprint"].as_str(), a["flow"].as_str()),
        (Some(fpa.as_str()), Some("runner"))
    );
    assert_eq!(a["running_in"], json!(["env#3", "env2#1"]));
    assert_eq!(a["compliance_state"], "COMPLIANT");
    let found = r.json(&format!("search/acme/sha/{}", &fpu[..6])).await;
    assert_eq!(
        (
            found["resolved_to"]["type"].as_str(),
            found["resolved_to"]["full_match"].as_str()
        ),
        (Some("fingerprint"), Some(fpu.as_str()))
    );
    let u = &found["artifacts"][0];
    assert_eq!(
        (
            u["has_provenance"].as_bool(),
            u["flow"].clone(),
            u["name"].as_str()
        ),
        (Some(false), Value::Null, Some("unknown:1"))
    );
    assert_eq!(u["running_in"], json!(["env#3"]));
    fails(
        r.get("search/acme/sha/00000").await,
        404,
        "No matches for '00000'.",
    );
    let bad_prefix = "'xxxxx' is not a valid hex prefix: give at least 5 of the characters 0-9 a-f";
    fails(r.get("search/acme/sha/xxxxx").await, 400, bad_prefix);

    let yes = r.json(&format!("asserts/acme/fingerprint/{fpa}")).await;
    assert_eq!(
        (
            yes["compliant"].as_bool(),
            yes["scope"].as_str(),
            yes["flows"][0]["flow"].as_str()
        ),
        (Some(true), Some("flow"), Some("runner"))
    );
    let no = r
        .json(&format!(
            "asserts/acme/fingerprint/{fpb}?environment_name=env"
        ))
        .await;
    assert_eq!(
        (no["compliant"].as_bool(), no["scope"].as_str()),
        (Some(false), Some("environment"))
    );
    assert_eq!(no["flows"][0]["compliance_status"]["status"], "INCOMPLETE");
    let unknown =
        format!("Artifact with fingerprint '{fpu}' does not exist in organization 'acme'");
    fails(
        r.get(&format!("asserts/acme/fingerprint/{fpu}")).await,
        404,
        &unknown,
    );
    assert_eq!(r.json("environments/acme/env").await["state"], false);
    assert_eq!(r.json("environments/acme/env2").await["state"], true);

    let s = &srv.snapshotter;
    let mismatch = "environment 'env' has type K8S, so it cannot take a ECS report";
    fails(
        s.put("environments/acme/env/report/ECS", json!({"artifacts": []}))
            .await,
        400,
        mismatch,
    );
    assert_eq!(
        s.json("snapshots/acme/env/-1").await["index"],
        3,
        "nothing recorded"
    );
}
