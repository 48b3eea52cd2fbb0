//! Judging running artifacts against an environment's policies: the gate holds
//! what a judgement needs (the policies applying at each snapshot of a range,
//! the flows behind the artifacts, the allow-list), loaded in a fixed number of
//! queries, so one snapshot or a page of them costs the same few reads.

use std::collections::{BTreeMap, HashMap};

use custody_core::Fingerprint;
use custody_core::ids::{EnvironmentId, FlowId, OrgId};
use custody_store::{EnvironmentRow, FlowRow};

use super::policy::{self, Applied};
use super::provenance::{Provenance, provenance};
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

/// A policy at its latest version, with the snapshots it applied to.
struct Span {
    applied: Applied,
    from: i64,
    to: Option<i64>,
}

pub struct Gate {
    spans: Vec<Span>,
    flows: HashMap<FlowId, FlowRow>,
    allowed: Vec<Fingerprint>,
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
                flows: HashMap::new(),
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
        let loaded = policy::load(state, &rows).await?;
        let spans = attached
            .into_iter()
            .filter_map(|(id, from, to)| {
                let applied = loaded.iter().find(|a| a.id == id)?.clone();
                Some(Span { applied, from, to })
            })
            .collect();
        let allowed = state.store.allowlist(env_id).await?;
        Ok(Gate {
            spans,
            flows: policy::flows_of(state, known.values()).await?,
            allowed: allowed.into_iter().map(|a| a.fingerprint).collect(),
        })
    }

    /// The policies applying at snapshot `index`, by name.
    pub fn applied(&self, index: i64) -> Vec<&Applied> {
        let mut applied: Vec<&Applied> = self
            .spans
            .iter()
            .filter(|s| s.from <= index && s.to.is_none_or(|t| t > index))
            .map(|s| &s.applied)
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

/// Whether each snapshot `from..=to` of an environment was compliant (every
/// artifact running there may run), in a fixed number of queries.
pub async fn compliance_during(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    (from, to): (i64, i64),
) -> ApiResult<BTreeMap<i64, bool>> {
    let runs = state.store.runs_during(env.id, from, to).await?;
    let mut fingerprints: Vec<Fingerprint> = runs.iter().map(|r| r.fingerprint.clone()).collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    let known = provenance(state, org.id, fingerprints).await?;
    let gate = Gate::during(state, org.id, env.id, (from, to), &known).await?;
    Ok((from..=to)
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
        .collect())
}
