//! The wire types against real Kosli responses (`tests/kosli/`: a snapshot of
//! cyber-dojo's aws-prod and a trail of runner-ci, from Kosli's public
//! documentation data). Custody's types must read Kosli's documents, and what
//! Custody writes must have the same JSON kind wherever both carry a field —
//! an integer where Kosli sends an integer, a string where it sends a string.

use custody_api::{Annotation, Snapshot, SnapshotArtifact, SnapshotFlow, Trail};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/kosli/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("JSON")
}

/// A JSON value's kind, telling integers from other numbers.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `ours` and `theirs` disagree on the kind of a field both carry. A null
/// on either side is an absent value, not a disagreement; a float that Kosli
/// sends may be whole (Python writes `1777955898.0`), so Custody's float
/// fields may carry integers only where Kosli's do.
fn mismatches(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if let Some(other) = b.get(key) {
                    mismatches(&format!("{path}.{key}"), value, other, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                mismatches(&format!("{path}[]"), x, y, out);
            }
        }
        (a, b) if kind(a) == kind(b) => {}
        (Value::Number(_), Value::Number(b)) if !(b.is_i64() || b.is_u64()) => {}
        (a, b) => out.push(format!(
            "{path}: Custody sends {}, Kosli {}",
            kind(a),
            kind(b)
        )),
    }
}

#[test]
fn custody_reads_a_real_kosli_snapshot() {
    let theirs = fixture("snapshot.json");
    let snapshot: Snapshot =
        serde_json::from_value(theirs.clone()).expect("Kosli's snapshot reads");
    assert_eq!((snapshot.index, snapshot.kind.as_str()), (4357, "ECS"));
    assert_eq!(
        snapshot.artifacts.len(),
        theirs["artifacts"].as_array().unwrap().len()
    );
    let first = &snapshot.artifacts[0];
    assert_eq!(first.creation_timestamp, [1_777_956_787]);
    assert!(first.flows.iter().all(|f| f.artifact_compliance_in_flow));
    assert_eq!(first.annotation.kind, "started-compliant");
}

#[test]
fn policy_decisions_read_and_write_exactly_as_kosli_sends_them() {
    let theirs = fixture("snapshot.json");
    let mut seen = 0;
    for artifact in theirs["artifacts"].as_array().unwrap() {
        let decisions = &artifact["policy_decisions"];
        let ours: Vec<custody_api::PolicyDecision> =
            serde_json::from_value(decisions.clone()).expect("Kosli's decisions read");
        seen += ours.len();
        assert_eq!(&serde_json::to_value(&ours).unwrap(), decisions);
    }
    assert!(seen > 0, "the fixture has decisions to compare");
}

#[test]
fn custody_reads_a_real_kosli_trail() {
    let theirs = fixture("trail.json");
    let trail: Trail = serde_json::from_value(theirs.clone()).expect("Kosli's trail reads");
    assert_eq!(
        trail.compliance_state,
        theirs["compliance_state"].as_str().unwrap()
    );
    assert_eq!(
        trail.compliance_status.artifacts_statuses.len(),
        theirs["compliance_status"]["artifacts_statuses"]
            .as_object()
            .unwrap()
            .len()
    );
    assert_eq!(
        trail.events.len(),
        theirs["events"].as_array().unwrap().len()
    );
}

/// A snapshot as Custody writes it, with every optional part filled.
fn custody_snapshot() -> Snapshot {
    let flow = SnapshotFlow {
        flow_name: "runner-ci".into(),
        trail_name: Some("16d9990".into()),
        template_reference_name: Some("runner".into()),
        git_commit: Some("16d9990".repeat(6)),
        commit_url: Some("https://github.com/cyber-dojo/runner/commit/16d9990".into()),
        artifact_compliance_in_flow: true,
        html_url: "https://custody.example/cyber-dojo/flows/runner-ci/artifacts/ab".into(),
        flow_html_url: "https://custody.example/cyber-dojo/flows/runner-ci".into(),
    };
    let artifact = SnapshotArtifact {
        name: "runner:16d9990".into(),
        fingerprint: "ab".repeat(32),
        creation_timestamp: vec![1_777_956_787, 1_777_956_790],
        pods: None,
        instances: Vec::new(),
        flow_name: Some("runner-ci".into()),
        git_commit: flow.git_commit.clone(),
        commit_url: flow.commit_url.clone(),
        compliant: Some(true),
        deployments: Vec::new(),
        flows: vec![flow],
        annotation: Annotation {
            kind: "started-compliant".into(),
            was: 0,
            now: 2,
        },
        policy_decisions: Vec::new(),
    };
    Snapshot {
        index: 4357,
        timestamp: 1_777_956_838.53,
        kind: "ECS".into(),
        is_latest: true,
        html_url: "https://custody.example/cyber-dojo/environments/aws-prod/snapshots/4357".into(),
        next_snapshot_timestamp: None,
        compliant: Some(true),
        artifacts: vec![artifact],
        applied_policies: Vec::new(),
    }
}

#[test]
fn custody_writes_snapshots_in_kosli_kinds() {
    let ours = serde_json::to_value(custody_snapshot()).unwrap();
    let mut out = Vec::new();
    mismatches("snapshot", &ours, &fixture("snapshot.json"), &mut out);
    assert!(out.is_empty(), "{out:#?}");
}

#[test]
fn the_comparison_notices_a_float_where_kosli_sends_an_integer() {
    let mut ours = serde_json::to_value(custody_snapshot()).unwrap();
    ours["artifacts"][0]["creationTimestamp"] = serde_json::json!([1_777_956_787.0]);
    ours["artifacts"][0]["flows"][0]["artifact_compliance_in_flow"] = "COMPLIANT".into();
    let mut out = Vec::new();
    mismatches("snapshot", &ours, &fixture("snapshot.json"), &mut out);
    assert_eq!(
        out,
        [
            "snapshot.artifacts[].creationTimestamp[]: Custody sends float, Kosli integer",
            "snapshot.artifacts[].flows[].artifact_compliance_in_flow: Custody sends string, Kosli bool"
        ]
    );
}
