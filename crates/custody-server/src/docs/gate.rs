//! Judging running artifacts against an environment's policies: the gate holds
//! what a judgement needs (the policies applying at each snapshot of a range,
//! the flows behind the artifacts, the allow-list), loaded in a fixed number of
//! queries, so one snapshot or a page of them costs the same few reads. A
//! snapshot is judged by each policy's version in force when it was taken, so
//! a later edit of a policy leaves past verdicts as they were.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use custody_core::Fingerprint;
use custody_core::ids::{EnvironmentId, FlowId, OrgId};
use custody_store::{EnvironmentRow, FlowRow, Page, RunSpan};

use super::policy::{self, Applied};
use super::provenance::{Provenance, provenance};
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

/// A policy's versions (oldest first), with the snapshots it applied to.
pub(super) struct Span {
    pub(super) versions: Vec<Applied>,
    pub(super) from: i64,
    pub(super) to: Option<i64>,
}

impl Span {
    /// The version in force at `time` (the latest when the time is unknown).
    fn at(&self, time: Option<f64>) -> Option<&Applied> {
        let latest = self.versions.last();
        match time {
            Some(t) => self
                .versions
                .iter()
                .rev()
                .find(|v| v.since <= t)
                .or(self.versions.first()),
            None => latest,
        }
    }
}

pub struct Gate {
    pub(super) spans: Vec<Span>,
    /// When each judged snapshot was taken, where a policy has several versions.
    pub(super) taken: HashMap<i64, f64>,
    /// Shared by the gates of several environments judged together.
    pub(super) flows: Arc<HashMap<FlowId, FlowRow>>,
    pub(super) allowed: Vec<Fingerprint>,
}

impl Gate {
    /// The gate of snapshots `from..=to` for artifacts of which `known` is what
    /// the org knows.
    pub async fn during(
        state: &AppState,
        org_id: OrgId,
        env_id: EnvironmentId,
        (from, to): (i64, i64),
        known: &HashMap<Fingerprint, Provenance>,
    ) -> ApiResult<Gate> {
        let attached = state.store.policy_spans(env_id, from, to).await?;
        if attached.is_empty() {
            return Ok(Gate {
                spans: Vec::new(),
                taken: HashMap::new(),
                flows: Arc::default(),
                allowed: Vec::new(),
            });
        }
        let rows: Vec<_> = state
            .store
            .policies(org_id)
            .await?
            .into_iter()
            .filter(|p| attached.iter().any(|(id, _, _)| *id == p.id))
            .collect();
        let loaded = policy::load_versions(state, &rows).await?;
        let spans: Vec<Span> = attached
            .into_iter()
            .map(|(id, from, to)| Span {
                versions: loaded.iter().filter(|a| a.id == id).cloned().collect(),
                from,
                to,
            })
            .filter(|s| !s.versions.is_empty())
            .collect();
        let taken = if spans.iter().any(|s| s.versions.len() > 1) {
            snapshot_times(state, env_id, (from, to)).await?
        } else {
            HashMap::new()
        };
        let allowed = state.store.allowlist(&[env_id]).await?;
        Ok(Gate {
            spans,
            taken,
            flows: Arc::new(policy::flows_of(state, known.values()).await?),
            allowed: allowed.into_iter().map(|a| a.fingerprint).collect(),
        })
    }

    /// The gate of snapshots from `from` on had `applied` alone been attached
    /// (with the allow-list as it is now): what time-travel evaluation uses.
    pub async fn trying(
        state: &AppState,
        env_id: EnvironmentId,
        applied: Applied,
        from: i64,
        known: &HashMap<Fingerprint, Provenance>,
    ) -> ApiResult<Gate> {
        let allowed = state.store.allowlist(&[env_id]).await?;
        Ok(Gate {
            spans: vec![Span {
                versions: vec![applied],
                from,
                to: None,
            }],
            taken: HashMap::new(),
            flows: Arc::new(policy::flows_of(state, known.values()).await?),
            allowed: allowed.into_iter().map(|a| a.fingerprint).collect(),
        })
    }

    /// The policies applying at snapshot `index`, by name.
    pub fn applied(&self, index: i64) -> Vec<&Applied> {
        let mut applied: Vec<&Applied> = self
            .spans
            .iter()
            .filter(|s| s.from <= index && s.to.is_none_or(|t| t > index))
            .filter_map(|s| s.at(self.taken.get(&index).copied()))
            .collect();
        applied.sort_by(|a, b| a.name.cmp(&b.name));
        applied
    }

    /// The decisions of the policies applying at `index` on one running
    /// artifact, and whether it may run there: compliant in every flow that
    /// knows it when no policy applies; else passing every policy, or allowed.
    pub fn judge(
        &self,
        index: i64,
        (name, fingerprint): (&str, &Fingerprint),
        known: Option<&Provenance>,
    ) -> (Vec<custody_api::PolicyDecision>, bool) {
        let applied = self.applied(index);
        if applied.is_empty() {
            return (Vec::new(), known.is_some_and(Provenance::compliant));
        }
        let subject = policy::subject(name, fingerprint, known, &self.flows);
        let (decisions, ok) = policy::decisions(&applied, &subject);
        let allowed = self.allowed.contains(fingerprint);
        (decisions, ok || allowed)
    }
}

/// When each snapshot `from..=to` was taken.
async fn snapshot_times(
    state: &AppState,
    env_id: EnvironmentId,
    (from, to): (i64, i64),
) -> ApiResult<HashMap<i64, f64>> {
    let page = Page {
        page: 1,
        per_page: u32::try_from(to - from + 1).unwrap_or(u32::MAX),
    };
    let rows = state.store.snapshots(env_id, from, to, false, page).await?;
    Ok(rows
        .into_iter()
        .map(|s| (s.idx, s.created_at.seconds()))
        .collect())
}

/// The runs open during `from..=to` and what the org knows of their artifacts.
pub async fn runs_known(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    (from, to): (i64, i64),
) -> ApiResult<(Vec<RunSpan>, HashMap<Fingerprint, Provenance>)> {
    let runs = state.store.runs_during(env.id, from, to).await?;
    let mut fingerprints: Vec<Fingerprint> = runs.iter().map(|r| r.fingerprint.clone()).collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    let known = provenance(state, org.id, fingerprints).await?;
    Ok((runs, known))
}

/// Whether each snapshot `from..=to` was compliant by `gate`: every artifact
/// running there may run.
pub fn verdicts(
    runs: &[RunSpan],
    known: &HashMap<Fingerprint, Provenance>,
    gate: &Gate,
    (from, to): (i64, i64),
) -> BTreeMap<i64, bool> {
    (from..=to)
        .map(|index| {
            let compliant = runs
                .iter()
                .filter(|r| r.from_idx <= index && r.to_idx.is_none_or(|t| t > index))
                .all(|r| {
                    gate.judge(index, (&r.name, &r.fingerprint), known.get(&r.fingerprint))
                        .1
                });
            (index, compliant)
        })
        .collect()
}

/// Whether each snapshot `from..=to` of an environment was compliant (every
/// artifact running there may run), in a fixed number of queries.
pub async fn compliance_during(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    range: (i64, i64),
) -> ApiResult<BTreeMap<i64, bool>> {
    let (runs, known) = runs_known(state, org, env, range).await?;
    let gate = Gate::during(state, org.id, env.id, range, &known).await?;
    Ok(verdicts(&runs, &known, &gate, range))
}
