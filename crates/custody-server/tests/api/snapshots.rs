//! Environments and snapshots: reports in Kosli's K8S shape, unchanged reports,
//! scaling down, blue-green, unknown fingerprints, the snapshot document, and
//! snapshot references (`-1`, `#1`, `~1`, `@{…}`) with the replayed clock.

use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE, artifact, report};
use crate::harness::{T0, TestServer, fails, fp, ok, pod, sha, start};
use crate::views;
use custody_store::testing::TestDatabase;

pub const T1: f64 = T0 + 100.0;
pub const T2: f64 = T1 + 3600.0;
pub const T3: f64 = T2 + 3600.0;

pub fn pods(image: &str, fingerprint: &str, n: i64) -> Vec<Value> {
    (1..=n)
        .map(|i| pod(&format!("{image}-{i}"), image, fingerprint, 1000 + i))
        .collect()
}

pub fn by_fp<'a>(list: &'a Value, fingerprint: &str) -> &'a Value {
    let items = list.as_array().expect("array");
    items
        .iter()
        .find(|a| a["fingerprint"] == fingerprint)
        .unwrap_or_else(|| panic!("{fingerprint} in {list}"))
}

pub fn fingerprints(list: &Value) -> Vec<&str> {
    let mut fps: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["fingerprint"].as_str().expect("fp"))
        .collect();
    fps.sort();
    fps
}

/// Three snapshots of `env` (3×A; 2×A; 2×A + B + unknown U) and one of `env2`.
pub async fn snapshots_scenario(srv: &TestServer) {
    let (m, s) = (&srv.member, &srv.snapshotter);
    let (fpa, fpb, fpu) = (fp("aaaa1"), fp("bbbb2"), fp("eeee3"));
    fixtures::flow(m, "runner", EMPTY_TEMPLATE).await;
    ok(
        m.put(
            "flows/acme",
            json!({"name": "strict", "template": ["artifact", "tests"]}),
        )
        .await,
        201,
    );
    artifact(m, "runner", &fpa, "runner:1", &sha("ca11a"), None, None).await;
    artifact(m, "strict", &fpb, "strict:1", &sha("cb22b"), None, None).await;
    fixtures::environment(s, "env").await;
    fixtures::environment(s, "env2").await;

    srv.at(T1);
    assert_eq!(report(s, "env", pods("runner:1", &fpa, 3)).await, (1, true));
    srv.at(T1 + 60.0);
    assert_eq!(
        report(s, "env", pods("runner:1", &fpa, 3)).await,
        (1, false),
        "identical: no new snapshot"
    );
    let env = s.json("environments/acme/env").await;
    assert_eq!(
        (
            env["last_reported_at"].as_f64(),
            env["last_changed_at"].as_f64()
        ),
        (Some(T1 + 60.0), Some(T1))
    );
    assert_eq!(s.json("snapshots/acme/env/-1").await["index"], 1);
    srv.at(T2);
    assert_eq!(
        report(s, "env", pods("runner:1", &fpa, 2)).await,
        (2, true),
        "scaling down"
    );
    srv.at(T3);
    let mut blue_green = pods("runner:1", &fpa, 2);
    blue_green.extend(pods("strict:1", &fpb, 1));
    blue_green.extend(pods("unknown:1", &fpu, 1));
    assert_eq!(report(s, "env", blue_green).await, (3, true));
    srv.at(T3 + 5.0);
    assert_eq!(
        report(s, "env2", pods("runner:1", &fpa, 1)).await,
        (1, true)
    );
    srv.at(T3 + 10.0);

    let latest = s.json("snapshots/acme/env/-1").await;
    assert_eq!(
        (latest["index"].as_i64(), latest["is_latest"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(
        (latest["type"].as_str(), latest["timestamp"].as_f64()),
        (Some("K8S"), Some(T3))
    );
    assert_eq!(
        latest["compliant"], false,
        "B is incomplete and U is unknown"
    );
    let arts = &latest["artifacts"];
    assert_eq!(
        fingerprints(arts),
        [fpa.as_str(), fpb.as_str(), fpu.as_str()],
        "both fingerprints and the unknown"
    );
    let a = by_fp(arts, &fpa);
    assert_eq!(
        (a["flow_name"].as_str(), a["compliant"].as_bool()),
        (Some("runner"), Some(true))
    );
    assert_eq!(
        a["annotation"],
        json!({"type": "unchanged", "was": 2, "now": 2})
    );
    assert_eq!(
        a["creationTimestamp"].to_string(),
        "[1001,1002]",
        "creation times are whole seconds: Kosli's CLI reads []int64"
    );
    let b = by_fp(arts, &fpb);
    assert_eq!(
        (b["flow_name"].as_str(), b["compliant"].as_bool()),
        (Some("strict"), Some(false))
    );
    assert_eq!(
        b["annotation"],
        json!({"type": "started", "was": 0, "now": 1})
    );
    let u = by_fp(arts, &fpu);
    assert_eq!(
        (u["flow_name"].clone(), u["compliant"].as_bool()),
        (Value::Null, Some(false))
    );
    assert_eq!(u["name"], "unknown:1");
    let second = s.json("snapshots/acme/env/~1").await;
    assert_eq!(
        by_fp(&second["artifacts"], &fpa)["annotation"],
        json!({"type": "scaled", "was": 3, "now": 2})
    );
    assert_eq!(second["next_snapshot_timestamp"], T3);

    assert!(
        s.url("snapshots/acme/env/#1")
            .as_str()
            .ends_with("/snapshots/acme/env/%231"),
        "# travels escaped"
    );
    for (reference, index) in [
        ("#1", 1),
        ("1", 1),
        ("-3", 1),
        ("~1", 2),
        ("@{now}", 3),
        ("@{1.hours.ago}", 2),
    ] {
        let doc = s.json(&format!("snapshots/acme/env/{reference}")).await;
        assert_eq!(doc["index"], index, "env{reference}");
    }
    let beyond = "Org: 'acme'. Snapshot 'env#23' resolves to 'env#23'. len(snapshots) == 3. Indexes are 1-based";
    fails(s.get("snapshots/acme/env/23").await, 404, beyond);
    fails(s.get("snapshots/acme/env/#23").await, 404, beyond);
    let behind = "Org: 'acme'. Snapshot 'env#~3' resolves to 'env#0'. len(snapshots) == 3. Indexes are 1-based";
    fails(s.get("snapshots/acme/env/~3").await, 404, behind);
    let before = format!(
        "Environment 'env' of organization 'acme' had no snapshot yet at {}",
        T3 + 10.0 - 3.0 * 3600.0
    );
    fails(
        s.get("snapshots/acme/env/@{3.hours.ago}").await,
        404,
        &before,
    );
    fails(
        s.get("snapshots/acme/env/#zz").await,
        400,
        "invalid expression: env#zz. 'zz' is not an integer",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshots_record_changes_and_resolve_references() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    snapshots_scenario(&srv).await;
    views::views_scenario(&srv).await;
    views::search_and_assert_scenario(&srv).await;
    srv.stop().await;
}
