//! Runtime reports: `normalise` keeps every instance with a digest, grouped by
//! fingerprint and oldest first, and `diff` against the open runs changes exactly
//! the fingerprints whose replica count differs.

use std::collections::{BTreeMap, BTreeSet};

use custody_core::report::{OpenRun, created_of, diff, normalise};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const FINGERPRINTS: usize = 4;

fn fp(i: usize) -> String {
    char::from(b'a' + i as u8).to_string().repeat(64)
}

/// One reported instance: digests by name (an index into `fp`, or `None` for an
/// empty digest) and a creation timestamp that may be missing or not a number.
type Entry = (BTreeMap<String, Option<usize>>, Option<Value>);

fn entry() -> impl Strategy<Value = Entry> {
    let digests = prop::collection::btree_map(
        "n[0-3]",
        prop::option::weighted(0.85, 0..FINGERPRINTS),
        0..3,
    );
    let created = prop::option::of(prop_oneof![
        (-1e12f64..1e12).prop_map(Value::from),
        (0i64..100).prop_map(Value::from),
        Just(json!("yesterday")),
    ]);
    (digests, created)
}

fn to_json((digests, created): &Entry) -> Value {
    let mut object = Map::new();
    object.insert("podName".into(), json!("pod"));
    let digests: Map<String, Value> = digests
        .iter()
        .map(|(name, i)| (name.clone(), json!(i.map(fp).unwrap_or_default())))
        .collect();
    object.insert("digests".into(), Value::Object(digests));
    if let Some(created) = created {
        object.insert("creationTimestamp".into(), created.clone());
    }
    Value::Object(object)
}

/// Open runs: at most one per fingerprint, with distinct ids and 1..5 replicas.
fn open_runs() -> impl Strategy<Value = Vec<OpenRun>> {
    (
        prop::collection::vec(prop::option::of(1i64..5), FINGERPRINTS),
        0i64..1000,
    )
        .prop_map(|(replicas, base)| {
            replicas
                .into_iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    r.map(|replicas| OpenRun {
                        id: base + 3 * i as i64,
                        fingerprint: fp(i),
                        replicas,
                    })
                })
                .collect()
        })
}

fn counts(entries: &[Entry]) -> BTreeMap<String, i64> {
    let mut map = BTreeMap::new();
    for i in entries.iter().flat_map(|(d, _)| d.values().flatten()) {
        *map.entry(fp(*i)).or_insert(0) += 1;
    }
    map
}

proptest! {
    #[test]
    fn normalise_keeps_and_groups_every_instance(entries in prop::collection::vec(entry(), 0..12)) {
        let report: Vec<Value> = entries.iter().map(to_json).collect();
        let running = normalise(&report).unwrap();
        let expected = counts(&entries);
        let total: i64 = running.iter().map(|a| a.replicas()).sum();
        prop_assert_eq!(total, expected.values().sum::<i64>());
        let grouped: BTreeMap<String, i64> =
            running.iter().map(|a| (a.fingerprint.clone(), a.replicas())).collect();
        prop_assert_eq!(grouped.len(), running.len(), "a fingerprint appears twice");
        prop_assert_eq!(&grouped, &expected);
        for artifact in &running {
            let times: Vec<i64> = artifact.instances.iter().map(created_of).collect();
            prop_assert!(times.windows(2).all(|w| w[0] <= w[1]), "{:?}", times);
            for instance in &artifact.instances {
                prop_assert!(instance.get("digests").is_none());
                prop_assert!(instance["creationTimestamp"].is_i64());
            }
            let smallest_name = entries
                .iter()
                .flat_map(|(d, _)| d.iter())
                .filter(|(_, i)| i.map(fp).as_ref() == Some(&artifact.fingerprint))
                .map(|(name, _)| name)
                .min();
            prop_assert_eq!(Some(&artifact.name), smallest_name);
        }
    }

    #[test]
    fn diff_changes_exactly_the_differing_counts(
        open in open_runs(),
        entries in prop::collection::vec(entry(), 0..12),
    ) {
        let report: Vec<Value> = entries.iter().map(to_json).collect();
        let reported = counts(&entries);
        let was: BTreeMap<String, i64> =
            open.iter().map(|r| (r.fingerprint.clone(), r.replicas)).collect();
        let running = normalise(&report).unwrap();
        let change = diff(&open, &running);
        prop_assert_eq!(change.is_none(), reported == was);
        let Some(change) = change else { return Ok(()) };

        let open_ids: BTreeSet<i64> = open.iter().map(|r| r.id).collect();
        let closed: BTreeSet<i64> = change.closed.iter().copied().collect();
        prop_assert_eq!(closed.len(), change.closed.len(), "a run is closed twice");
        prop_assert!(change.closed.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(closed.is_subset(&open_ids));
        for artifact in &change.opened {
            prop_assert_ne!(
                was.get(&artifact.fingerprint),
                Some(&artifact.replicas()),
                "{} reopened with an unchanged count", artifact.fingerprint
            );
        }

        let mut after: BTreeMap<String, i64> = open
            .iter()
            .filter(|r| !closed.contains(&r.id))
            .map(|r| (r.fingerprint.clone(), r.replicas))
            .collect();
        for artifact in change.opened {
            let previous = after.insert(artifact.fingerprint.clone(), artifact.replicas());
            prop_assert!(previous.is_none(), "{} would run twice", artifact.fingerprint);
        }
        prop_assert_eq!(after, reported);
    }
}
