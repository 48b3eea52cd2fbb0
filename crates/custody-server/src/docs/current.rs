//! Compliance of many environments at once, as they are now: the gates of
//! their latest snapshots and whether what runs in each may run there, in a
//! fixed number of queries whatever the number of environments.

use std::collections::HashMap;
use std::sync::Arc;

use custody_core::Fingerprint;
use custody_core::ids::{EnvironmentId, OrgId, PolicyId};
use custody_store::{EnvironmentRow, RunningNow};

use super::gate::{Gate, Span};
use super::policy;
use super::provenance::{Provenance, provenance};
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

impl Gate {
    /// The gates of environments at their latest snapshots (each policy at
    /// its version in force when that snapshot was taken), by environment, in
    /// a fixed number of queries whatever their number.
    pub async fn current(
        state: &AppState,
        org_id: OrgId,
        envs: &[&EnvironmentRow],
        known: &HashMap<Fingerprint, Provenance>,
    ) -> ApiResult<HashMap<EnvironmentId, Gate>> {
        let rows = state.store.policies(org_id).await?;
        let ids: Vec<PolicyId> = rows.iter().map(|p| p.id).collect();
        let attached = state.store.attachments(&ids).await?;
        let loaded = policy::load_versions(state, &rows).await?;
        let env_ids: Vec<EnvironmentId> = envs.iter().map(|e| e.id).collect();
        let allowed = state.store.allowlist(&env_ids).await?;
        let flows = Arc::new(policy::flows_of(state, known.values()).await?);
        Ok(envs
            .iter()
            .map(|env| {
                let spans = attached
                    .iter()
                    .filter(|(_, name)| *name == env.name)
                    .map(|(id, _)| Span {
                        versions: loaded.iter().filter(|a| a.id == *id).cloned().collect(),
                        from: env.latest_index,
                        to: None,
                    })
                    .filter(|s| !s.versions.is_empty())
                    .collect();
                let taken = env
                    .last_changed_at
                    .map(|t| (env.latest_index, t.seconds()))
                    .into_iter()
                    .collect();
                let gate = Gate {
                    spans,
                    taken,
                    flows: Arc::clone(&flows),
                    allowed: allowed
                        .iter()
                        .filter(|a| a.env_name == env.name)
                        .map(|a| a.fingerprint.clone())
                        .collect(),
                };
                (env.id, gate)
            })
            .collect())
    }
}

/// Whether what runs now in each of these environments may run there, in a
/// fixed number of queries; an environment without snapshots has no verdict.
pub async fn compliance_now(
    state: &AppState,
    org: &OrgScope,
    envs: &[&EnvironmentRow],
) -> ApiResult<HashMap<EnvironmentId, bool>> {
    if envs.iter().all(|e| e.latest_index == 0) {
        return Ok(HashMap::new());
    }
    let ids: Vec<EnvironmentId> = envs.iter().map(|e| e.id).collect();
    let open = state.store.open_runs(&ids).await?;
    compliance_of(state, org, envs, &open).await
}

/// [`compliance_now`] for a caller that already read these environments' open runs.
pub async fn compliance_of(
    state: &AppState,
    org: &OrgScope,
    envs: &[&EnvironmentRow],
    open: &[RunningNow],
) -> ApiResult<HashMap<EnvironmentId, bool>> {
    let reported: Vec<&EnvironmentRow> = envs
        .iter()
        .copied()
        .filter(|e| e.latest_index > 0)
        .collect();
    if reported.is_empty() {
        return Ok(HashMap::new());
    }
    let mut running: HashMap<EnvironmentId, Vec<&RunningNow>> = HashMap::new();
    for run in open {
        if reported.iter().any(|e| e.id == run.env_id) {
            running.entry(run.env_id).or_default().push(run);
        }
    }
    let mut fingerprints: Vec<Fingerprint> = running
        .values()
        .flatten()
        .map(|r| r.fingerprint.clone())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    let known = provenance(state, org.id, fingerprints).await?;
    let gates = Gate::current(state, org.id, &reported, &known).await?;
    Ok(reported
        .iter()
        .map(|env| {
            let runs = running.get(&env.id).into_iter().flatten();
            let ok = all_may_run(
                &gates[&env.id],
                env,
                runs.map(|r| (r.name.as_str(), &r.fingerprint)),
                &known,
            );
            (env.id, ok)
        })
        .collect())
}

/// Whether every one of these artifacts (name and fingerprint) may run in
/// `env` at its latest snapshot, by its current gate.
pub fn all_may_run<'a>(
    gate: &Gate,
    env: &EnvironmentRow,
    mut running: impl Iterator<Item = (&'a str, &'a Fingerprint)>,
    known: &HashMap<Fingerprint, Provenance>,
) -> bool {
    running.all(|(name, fingerprint)| {
        gate.judge(
            env.latest_index,
            (name, fingerprint),
            known.get(fingerprint),
        )
        .1
    })
}
