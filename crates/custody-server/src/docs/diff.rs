//! Snapshot diffs: what ran at one snapshot and not at another, and what scaled,
//! matched by fingerprint (also across two environments).

use custody_api::{DiffArtifact, DiffGroup, DiffSide, SnapshotDiff};
use custody_core::Fingerprint;
use custody_store::{EnvironmentRow, RunRow};

use super::provenance::{Provenance, creation_times, pod_names, provenance};
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

/// The artifacts running at a snapshot, for diffs.
async fn running(state: &AppState, env: &EnvironmentRow, index: i64) -> ApiResult<Vec<RunRow>> {
    let runs = state.store.runs_at(env.id, index).await?;
    Ok(runs
        .into_iter()
        .filter(|r| r.from_idx <= index && r.to_idx.is_none_or(|t| t > index))
        .collect())
}

/// Compares what ran at two snapshots, by fingerprint.
pub async fn diff(
    state: &AppState,
    org: &OrgScope,
    (env1, i1): (&EnvironmentRow, i64),
    (env2, i2): (&EnvironmentRow, i64),
) -> ApiResult<SnapshotDiff> {
    let a = running(state, env1, i1).await?;
    let b = running(state, env2, i2).await?;
    let fps: Vec<Fingerprint> = a.iter().chain(&b).map(|r| r.fingerprint.clone()).collect();
    let known = provenance(state, org.id, fps).await?;
    let item = |run: &RunRow, s1: i64, s2: i64| {
        let (times, instances) = creation_times(run);
        let primary = known.get(&run.fingerprint).and_then(Provenance::primary);
        DiffArtifact {
            fingerprint: run.fingerprint.to_string(),
            name: run.name.clone(),
            flow: primary.map(|p| p.flow_name.clone()),
            commit_url: primary.and_then(|p| p.commit_url.clone()),
            most_recent_timestamp: times.iter().copied().max().unwrap_or(0),
            instance_count: run.replicas,
            s1_instance_count: s1,
            s2_instance_count: s2,
            pods: pod_names(&instances),
        }
    };
    let find = |runs: &[RunRow], fp: &Fingerprint| {
        runs.iter()
            .find(|r| &r.fingerprint == fp)
            .map(|r| r.replicas)
    };
    let mut only1 = Vec::new();
    let (mut changed, mut same) = (Vec::new(), Vec::new());
    for run in &a {
        match find(&b, &run.fingerprint) {
            None => only1.push(item(run, 0, 0)),
            Some(n) if n != run.replicas => changed.push(item(run, run.replicas, n)),
            Some(_) => same.push(item(run, 0, 0)),
        }
    }
    let only2 = b
        .iter()
        .filter(|r| find(&a, &r.fingerprint).is_none())
        .map(|r| item(r, 0, 0))
        .collect();
    Ok(SnapshotDiff {
        snappish1: DiffSide {
            snapshot_id: format!("{}#{i1}", env1.name),
            artifacts: only1,
        },
        snappish2: DiffSide {
            snapshot_id: format!("{}#{i2}", env2.name),
            artifacts: only2,
        },
        changed: DiffGroup { artifacts: changed },
        not_changed: DiffGroup { artifacts: same },
    })
}
