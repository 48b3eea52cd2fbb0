//! DORA figures of an environment from its snapshots: the runs open in the
//! window, merged across scaling into stays, each tied to the flow that built
//! it (its provenance), judged as the environment judged it when it started,
//! with when it first ran there; then measured by `custody_core::dora`. A
//! fixed number of queries per environment.

use std::collections::HashMap;

use custody_api::{DoraFigures, DurationSpread, FailedDeployment};
use custody_core::Fingerprint;
use custody_core::Timestamp;
use custody_core::dora::{self, Cause, Spread, Stay, Window};
use custody_store::{EnvironmentRow, RunSpan};

use super::gate::Gate;
use super::provenance::provenance;
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

/// The figures of `env` (of `flow` only, when given) over `window`.
pub async fn figures(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    flow: Option<&str>,
    window: Window,
) -> ApiResult<DoraFigures> {
    let first = state
        .store
        .snapshot_at_time(env.id, Timestamp::from_seconds(window.from))
        .await?
        .unwrap_or(1);
    // The snapshot current at the window's end: runs after it are not read.
    let last = state
        .store
        .snapshot_at_time(env.id, Timestamp::from_seconds(window.to))
        .await?
        .unwrap_or(0);
    let runs = if last == 0 {
        Vec::new()
    } else {
        state.store.runs_during(env.id, first, last).await?
    };
    let runs = merge_scaling(runs);
    let mut fingerprints: Vec<Fingerprint> = runs.iter().map(|r| r.fingerprint.clone()).collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    let known = provenance(state, org.id, fingerprints.clone()).await?;
    let gate = Gate::during(state, org.id, env.id, (first, last.max(first)), &known).await?;
    let first_ran = first_runs(state, org, env, &fingerprints).await?;
    let mut untracked = 0;
    let mut stays = Vec::new();
    for run in &runs {
        let found = known.get(&run.fingerprint);
        let record = found.and_then(|p| {
            p.records
                .iter()
                .map(|(r, _)| r)
                .find(|r| flow.is_none_or(|f| r.flow_name == f))
        });
        let Some(record) = record else {
            let unknown = found.is_none_or(|p| p.records.is_empty());
            if flow.is_none() && unknown && window.from <= run.from_at.seconds() {
                untracked += 1;
            }
            continue;
        };
        let (_, compliant) = gate.judge(run.from_idx, (&run.name, &run.fingerprint), found);
        stays.push(Stay {
            flow: record.flow_name.clone(),
            fingerprint: run.fingerprint.to_string(),
            built_at: record.created_at.seconds(),
            committed_at: commit_time(&record.payload),
            from: run.from_at.seconds(),
            to: run.to_at.map(Timestamp::seconds),
            compliant,
            first_ran_at: first_ran.get(&run.fingerprint).copied(),
        });
    }
    let measured = dora::measure(&stays, window);
    Ok(document(env, flow, measured, untracked))
}

/// Runs of one fingerprint that follow each other (a scaling closes one and
/// opens the next at the same snapshot) as one run.
fn merge_scaling(mut runs: Vec<RunSpan>) -> Vec<RunSpan> {
    runs.sort_by(|a, b| {
        a.fingerprint
            .cmp(&b.fingerprint)
            .then(a.from_idx.cmp(&b.from_idx))
    });
    let mut merged: Vec<RunSpan> = Vec::with_capacity(runs.len());
    for run in runs {
        match merged.last_mut() {
            Some(last)
                if last.fingerprint == run.fingerprint && last.to_idx == Some(run.from_idx) =>
            {
                last.to_idx = run.to_idx;
                last.to_at = run.to_at;
            }
            _ => merged.push(run),
        }
    }
    merged
}

/// When each fingerprint first started running in `env`.
async fn first_runs(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    fingerprints: &[Fingerprint],
) -> ApiResult<HashMap<Fingerprint, f64>> {
    let mut first: HashMap<Fingerprint, f64> = HashMap::new();
    for run in state.store.runs_of(org.id, fingerprints).await? {
        if run.env_name == env.name {
            let at = run.from_at.seconds();
            let entry = first.entry(run.fingerprint).or_insert(at);
            *entry = entry.min(at);
        }
    }
    Ok(first)
}

/// The commit's time from an artifact's reported `git_commit_info`.
fn commit_time(payload: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    value["git_commit_info"]["timestamp"].as_f64()
}

fn spread(s: Option<Spread>) -> Option<DurationSpread> {
    s.map(|s| DurationSpread {
        median_seconds: s.median,
        p90_seconds: s.p90,
        count: s.count,
    })
}

fn document(
    env: &EnvironmentRow,
    flow: Option<&str>,
    d: dora::Dora,
    untracked: usize,
) -> DoraFigures {
    DoraFigures {
        environment: env.name.clone(),
        flow: flow.map(String::from),
        from: d.window.from,
        to: d.window.to,
        deployments: d.deployments,
        deployments_per_day: d.deployments_per_day,
        lead_time: spread(d.lead_time),
        lead_times_from_commit: d.lead_times_from_commit,
        change_failure_rate: d.change_failure_rate,
        failed_deployments: d
            .failures
            .into_iter()
            .map(|f| FailedDeployment {
                flow: f.flow,
                fingerprint: f.fingerprint,
                started_at: f.started,
                cause: match f.cause {
                    Cause::RolledBack => "rolled_back",
                    Cause::NonCompliant => "non_compliant",
                }
                .to_string(),
                restored_at: f.restored_at,
                restored_by: f.restored_by,
            })
            .collect(),
        time_to_restore: spread(d.time_to_restore),
        rework: d.rework,
        rework_rate: d.rework_rate,
        per_day: d.per_day,
        untracked,
    }
}
