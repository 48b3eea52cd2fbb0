//! An environment's event log: what started, scaled and stopped at each
//! snapshot of a range, derived from the runs that began or ended in it.

use std::collections::BTreeMap;

use custody_api::EnvironmentEvent;
use custody_core::Fingerprint;
use custody_core::history::Transition;
use custody_store::{RunSpan, SnapshotRow};

/// The events of snapshots `from..=to`, oldest first, from the runs that
/// started or ended there and those snapshots' rows (for their times);
/// `pipeline` names the flow of a fingerprint.
pub fn events(
    env_name: &str,
    runs: &[RunSpan],
    snapshots: &[SnapshotRow],
    (from, to): (i64, i64),
    pipeline: impl Fn(&Fingerprint) -> String,
) -> Vec<EnvironmentEvent> {
    let times: BTreeMap<i64, f64> = snapshots
        .iter()
        .map(|s| (s.idx, s.created_at.seconds()))
        .collect();
    // (index, fingerprint) → (was, now, name)
    let mut changes: BTreeMap<(i64, &Fingerprint), (i64, i64, &str)> = BTreeMap::new();
    for run in runs {
        if (from..=to).contains(&run.from_idx) {
            let c = changes
                .entry((run.from_idx, &run.fingerprint))
                .or_insert((0, 0, &run.name));
            c.1 = run.replicas;
        }
        if let Some(end) = run.to_idx.filter(|t| (from..=to).contains(t)) {
            let c = changes
                .entry((end, &run.fingerprint))
                .or_insert((0, 0, &run.name));
            c.0 = run.replicas;
        }
    }
    changes
        .into_iter()
        .map(|((index, fp), (was, now, name))| {
            let t = Transition { was, now };
            EnvironmentEvent {
                environment_name: env_name.to_string(),
                snapshot_index: index,
                artifact_name: name.to_string(),
                sha256: fp.to_string(),
                description: t.description(),
                reported_at: times.get(&index).copied().unwrap_or(0.0),
                pipeline: pipeline(fp),
                kind: t.kind().to_string(),
            }
        })
        .collect()
}
