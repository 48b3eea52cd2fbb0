//! Runtime reports: how the instances a reporter sends (pods, tasks, functions,
//! files…) become a running set keyed by fingerprint, and whether that set differs
//! from what is currently recorded as running. Only a change in the set of
//! fingerprints or in a replica count makes a new snapshot.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::Timestamp;
use crate::fingerprint::Fingerprint;
use crate::json::sorted_keys;

/// Every instance of one fingerprint in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningArtifact {
    pub fingerprint: String,
    pub name: String,
    /// Reported instance objects without their `digests`, oldest first; each has an
    /// integer `creationTimestamp` (Unix seconds).
    pub instances: Vec<Value>,
}

impl RunningArtifact {
    pub fn replicas(&self) -> i64 {
        self.instances.len() as i64
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    #[error("artifacts[{index}] must be a JSON object with a 'digests' map of name to sha256")]
    Shape { index: usize },
    #[error("artifacts[{index}].digests['{name}']: {source}")]
    Digest {
        index: usize,
        name: String,
        source: crate::fingerprint::FingerprintError,
    },
}

/// Groups reported instances by fingerprint. Empty digests (allowed by some
/// reporters when a digest is unknown) are left out of the running set.
pub fn normalise(entries: &[Value]) -> Result<Vec<RunningArtifact>, ReportError> {
    let mut by_fp: BTreeMap<String, RunningArtifact> = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let object = entry.as_object().ok_or(ReportError::Shape { index })?;
        let digests = object
            .get("digests")
            .and_then(Value::as_object)
            .ok_or(ReportError::Shape { index })?;
        // Kept with its keys in name order at every depth, so that the same
        // instance is the same text whatever order its reporter wrote it in.
        let mut sorted: BTreeMap<String, Value> = object
            .iter()
            .filter(|(k, _)| *k != "digests")
            .map(|(k, v)| (k.clone(), sorted_keys(v.clone())))
            .collect();
        sorted.insert("creationTimestamp".into(), Value::from(created_of(entry)));
        let context: Map<String, Value> = sorted.into_iter().collect();
        for (name, digest) in digests {
            let digest = digest.as_str().ok_or(ReportError::Shape { index })?;
            if digest.is_empty() {
                continue;
            }
            let fp = Fingerprint::parse(digest).map_err(|source| ReportError::Digest {
                index,
                name: name.clone(),
                source,
            })?;
            let artifact = by_fp
                .entry(fp.to_string())
                .or_insert_with(|| RunningArtifact {
                    fingerprint: fp.to_string(),
                    name: name.clone(),
                    instances: Vec::new(),
                });
            if *name < artifact.name {
                artifact.name = name.clone();
            }
            artifact.instances.push(Value::Object(context.clone()));
        }
    }
    let mut artifacts: Vec<RunningArtifact> = by_fp.into_values().collect();
    for a in &mut artifacts {
        a.instances.sort_by_key(created_of);
    }
    Ok(artifacts)
}

/// The `creationTimestamp` of an instance object in whole Unix seconds (the
/// wire type is an integer; fractions are dropped, a missing value is 0).
pub fn created_of(instance: &Value) -> i64 {
    let created = instance.get("creationTimestamp");
    created
        .and_then(Value::as_i64)
        .or_else(|| {
            created
                .and_then(Value::as_f64)
                .map(|t| Timestamp::from_seconds(t).whole_seconds())
        })
        .unwrap_or(0)
}

/// A run currently open in an environment: a fingerprint with its replica count.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRun {
    pub id: i64,
    pub fingerprint: String,
    pub replicas: i64,
}

/// What a report changes: runs to close and runs to open, both at the new index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Change<'a> {
    pub closed: Vec<i64>,
    pub opened: Vec<&'a RunningArtifact>,
}

/// Whether a report makes a new snapshot, and what it changes: a snapshot is
/// made when the running set or a replica count changed, and always for an
/// environment's first report (`latest` is 0), even an empty one, so every
/// environment that has reported has a snapshot #1. `None`: no new snapshot.
pub fn snapshot_change<'a>(
    latest: i64,
    open: &[OpenRun],
    reported: &'a [RunningArtifact],
) -> Option<Change<'a>> {
    match diff(open, reported) {
        None if latest == 0 => Some(Change::default()),
        change => change,
    }
}

/// Compares the open runs with a report. `None` means nothing meaningful changed.
pub fn diff<'a>(open: &[OpenRun], reported: &'a [RunningArtifact]) -> Option<Change<'a>> {
    let current: BTreeMap<&str, &OpenRun> =
        open.iter().map(|r| (r.fingerprint.as_str(), r)).collect();
    let mut change = Change::default();
    let mut still_running = std::collections::BTreeSet::new();
    for artifact in reported {
        match current.get(artifact.fingerprint.as_str()) {
            Some(run) if run.replicas == artifact.replicas() => {
                still_running.insert(run.id);
            }
            Some(run) => {
                change.closed.push(run.id);
                still_running.insert(run.id);
                change.opened.push(artifact);
            }
            None => change.opened.push(artifact),
        }
    }
    change.closed.extend(
        open.iter()
            .filter(|r| !still_running.contains(&r.id))
            .map(|r| r.id),
    );
    change.closed.sort_unstable();
    if change.closed.is_empty() && change.opened.is_empty() {
        None
    } else {
        Some(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fp(c: char) -> String {
        c.to_string().repeat(64)
    }

    fn pod(name: &str, digest: &str, created: i64) -> Value {
        json!({"podName": name, "namespace": "prod", "digests": {"app:1": digest}, "creationTimestamp": created})
    }

    #[test]
    fn groups_instances_by_fingerprint_oldest_first() {
        let report = [
            pod("b", &fp('a'), 20),
            pod("a", &fp('a'), 10),
            pod("c", &fp('b'), 5),
        ];
        let running = normalise(&report).unwrap();
        assert_eq!(running.len(), 2);
        assert_eq!(running[0].replicas(), 2);
        assert_eq!(running[0].instances[0]["podName"], "a");
        assert!(running[0].instances[0].get("digests").is_none());
        assert_eq!(
            running[0].instances[0].to_string(),
            r#"{"creationTimestamp":10,"namespace":"prod","podName":"a"}"#,
            "an instance is kept with its keys in name order"
        );
    }

    #[test]
    fn rejects_bad_digests_with_their_position() {
        let err = normalise(&[json!({"digests": {"x": "nothex"}})]).unwrap_err();
        assert!(
            err.to_string().starts_with("artifacts[0].digests['x']"),
            "{err}"
        );
        assert!(normalise(&[json!("pod")]).is_err());
    }

    #[test]
    fn creation_times_become_whole_seconds() {
        let mut fractional = pod("a", &fp('a'), 0);
        fractional["creationTimestamp"] = json!(1_764_300_120.75);
        let running = normalise(&[fractional, json!({"digests": {"x": fp('a')}})]).unwrap();
        let times: Vec<&Value> = running[0]
            .instances
            .iter()
            .map(|i| &i["creationTimestamp"])
            .collect();
        assert_eq!(times, [&json!(0), &json!(1_764_300_120)]);
        assert!(times.iter().all(|t| t.is_i64()));
    }

    #[test]
    fn skips_unknown_empty_digests() {
        let running = normalise(&[json!({"digests": {"x": ""}, "creationTimestamp": 1})]).unwrap();
        assert!(running.is_empty());
    }

    #[test]
    fn unchanged_report_makes_no_change() {
        let open = [OpenRun {
            id: 1,
            fingerprint: fp('a'),
            replicas: 1,
        }];
        assert_eq!(
            diff(&open, &normalise(&[pod("x", &fp('a'), 99)]).unwrap()),
            None
        );
    }

    #[test]
    fn the_first_report_always_makes_a_snapshot_later_ones_only_on_change() {
        let running = normalise(&[pod("x", &fp('a'), 1)]).unwrap();
        assert_eq!(snapshot_change(0, &[], &[]), Some(Change::default()));
        assert_eq!(snapshot_change(0, &[], &running).unwrap().opened.len(), 1);
        assert_eq!(snapshot_change(3, &[], &[]), None);
        let open = [OpenRun {
            id: 7,
            fingerprint: fp('a'),
            replicas: 1,
        }];
        assert_eq!(snapshot_change(3, &open, &running), None);
        assert_eq!(snapshot_change(3, &open, &[]).unwrap().closed, vec![7]);
    }

    proptest::proptest! {
        /// Applying a report's change to the open runs leaves exactly the
        /// reported set open, and a report of that set again changes nothing.
        #[test]
        fn a_change_brings_the_open_runs_to_the_report(
            before in proptest::collection::btree_map(0u8..8, 1usize..4, 0..6),
            after in proptest::collection::btree_map(0u8..8, 1usize..4, 0..6),
        ) {
            let pods = |set: &BTreeMap<u8, usize>| -> Vec<Value> {
                set.iter()
                    .flat_map(|(f, n)| (0..*n).map(move |i| pod(&format!("p{f}-{i}"), &format!("{f:064x}"), i as i64)))
                    .collect()
            };
            let open: Vec<OpenRun> = normalise(&pods(&before)).unwrap().into_iter().enumerate()
                .map(|(id, a)| OpenRun { id: id as i64, replicas: a.replicas(), fingerprint: a.fingerprint })
                .collect();
            let reported = normalise(&pods(&after)).unwrap();
            let mut now: BTreeMap<String, i64> = open.iter().map(|r| (r.fingerprint.clone(), r.replicas)).collect();
            if let Some(change) = snapshot_change(1, &open, &reported) {
                for id in &change.closed {
                    now.remove(&open[*id as usize].fingerprint);
                }
                for a in &change.opened {
                    proptest::prop_assert!(now.insert(a.fingerprint.clone(), a.replicas()).is_none());
                }
            } else {
                proptest::prop_assert_eq!(&before, &after);
            }
            let wanted: BTreeMap<String, i64> = reported.iter().map(|a| (a.fingerprint.clone(), a.replicas())).collect();
            proptest::prop_assert_eq!(now, wanted);
        }
    }

    #[test]
    fn scaling_closes_and_reopens_the_run() {
        let open = [
            OpenRun {
                id: 1,
                fingerprint: fp('a'),
                replicas: 1,
            },
            OpenRun {
                id: 2,
                fingerprint: fp('b'),
                replicas: 1,
            },
        ];
        let report = [
            pod("x", &fp('a'), 1),
            pod("y", &fp('a'), 2),
            pod("z", &fp('c'), 3),
        ];
        let running = normalise(&report).unwrap();
        let change = diff(&open, &running).unwrap();
        assert_eq!(change.closed, vec![1, 2]);
        let opened: Vec<_> = change
            .opened
            .iter()
            .map(|a| (a.fingerprint.clone(), a.replicas()))
            .collect();
        assert_eq!(opened, vec![(fp('a'), 2), (fp('c'), 1)]);
    }
}
