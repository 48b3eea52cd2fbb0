//! Environment policies applied to artifacts: loading the versions of
//! policies, turning what the org knows of a fingerprint into the contexts the
//! policy evaluator needs, and the resulting decisions.

use std::collections::{BTreeMap, HashMap};

use custody_api as api;
use custody_core::Fingerprint;
use custody_core::ids::{FlowId, PolicyId};
use custody_core::policy::{FlowContext, Policy, PolicyDecision, Seen, Subject, decide};
use custody_store::{FlowRow, PolicyRow, PolicyVersionRow};
use serde_json::{Value, json};

use super::compliance::ArtifactCompliance;
use super::provenance::Provenance;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A version of a policy, parsed.
#[derive(Clone)]
pub struct Applied {
    pub id: PolicyId,
    pub name: String,
    pub version: i64,
    /// When this version was written (Unix seconds).
    pub since: f64,
    pub policy: Policy,
}

impl Applied {
    /// The `{name, version}` entry of a snapshot's `applied_policies`.
    pub fn summary(&self) -> Value {
        json!({"name": self.name, "version": self.version})
    }
}

fn parse(row: &PolicyRow, v: &PolicyVersionRow) -> ApiResult<Applied> {
    Ok(Applied {
        id: row.id,
        name: row.name.clone(),
        version: v.version,
        since: v.created_at.seconds(),
        policy: Policy::parse(&v.content).map_err(ApiError::bad)?,
    })
}

/// Every version of these policies, oldest first within each policy.
pub async fn load_versions(state: &AppState, rows: &[PolicyRow]) -> ApiResult<Vec<Applied>> {
    let ids: Vec<PolicyId> = rows.iter().map(|r| r.id).collect();
    let versions = state.store.policy_versions(&ids).await?;
    versions
        .iter()
        .filter_map(|v| {
            rows.iter()
                .find(|r| r.id == v.policy_id)
                .map(|r| parse(r, v))
        })
        .collect()
}

/// The latest versions of these policies, in the order given.
pub async fn load(state: &AppState, rows: &[PolicyRow]) -> ApiResult<Vec<Applied>> {
    let ids: Vec<PolicyId> = rows.iter().map(|r| r.id).collect();
    let versions = state.store.policy_versions(&ids).await?;
    rows.iter()
        .map(|row| {
            let latest = versions
                .iter()
                .filter(|v| v.policy_id == row.id)
                .max_by_key(|v| v.version)
                .ok_or_else(|| ApiError::bad(format!("policy '{}' has no version", row.name)))?;
            parse(row, latest)
        })
        .collect()
}

/// The flows of every record in these provenances, by id.
pub async fn flows_of<'a>(
    state: &AppState,
    known: impl Iterator<Item = &'a Provenance>,
) -> ApiResult<HashMap<FlowId, FlowRow>> {
    let mut ids: Vec<FlowId> = known
        .flat_map(|p| p.records.iter().map(|(r, _)| r.flow_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = state.store.flows_by_id(&ids).await?;
    Ok(rows.into_iter().map(|f| (f.id, f)).collect())
}

/// What a policy sees of a running artifact.
pub fn subject(
    name: &str,
    fingerprint: &Fingerprint,
    known: Option<&Provenance>,
    flows: &HashMap<FlowId, FlowRow>,
) -> Subject {
    let contexts = known
        .map(|p| p.records.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|(row, compliance)| FlowContext {
            flow_name: row.flow_name.clone(),
            trail_name: row.trail_name.clone(),
            flow_tags: flows
                .get(&row.flow_id)
                .and_then(|f| serde_json::from_str::<BTreeMap<String, Value>>(&f.tags).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect(),
            artifact_status: compliance.state.as_str().to_string(),
            attestations: compliance
                .attestations
                .iter()
                .chain(&compliance.trail_attestations)
                .filter_map(|a| {
                    Some(Seen {
                        name: a.attestation_name.clone(),
                        kind: a.attestation_type.clone(),
                        is_compliant: a.is_compliant?,
                        control: control(compliance, a.attestation_id.as_deref()),
                    })
                })
                .collect(),
        })
        .collect();
    Subject {
        name: name.to_string(),
        fingerprint: fingerprint.to_string(),
        contexts,
    }
}

/// The `control` in the payload of one of an artifact's attestations.
fn control(compliance: &ArtifactCompliance, id: Option<&str>) -> Option<String> {
    let row = compliance
        .bound
        .iter()
        .chain(&compliance.trail_level)
        .find(|r| Some(r.public_id.as_str()) == id)?;
    let payload: Value = serde_json::from_str(&row.payload).ok()?;
    payload["control"].as_str().map(str::to_string)
}

/// Decisions of every policy, as documents show them, and whether all are
/// compliant.
pub fn decisions(applied: &[&Applied], subject: &Subject) -> (Vec<api::PolicyDecision>, bool) {
    let all: Vec<PolicyDecision> = applied
        .iter()
        .map(|a| decide(&a.name, a.version, &a.policy, subject))
        .collect();
    let ok = all.iter().all(PolicyDecision::compliant);
    (all.into_iter().map(wire).collect(), ok)
}

/// A decision in its wire form.
fn wire(d: PolicyDecision) -> api::PolicyDecision {
    api::PolicyDecision {
        policy_name: d.policy_name,
        policy_version: d.policy_version,
        status: d.status.to_string(),
        rule_evaluations: d
            .rule_evaluations
            .into_iter()
            .map(|r| api::RuleEvaluation {
                rule: api::PolicyRule {
                    kind: r.rule.kind.to_string(),
                    definition: r.rule.definition,
                },
                satisfied: r.satisfied,
                ignored: r.ignored,
                resolutions: r
                    .resolutions
                    .into_iter()
                    .map(|x| api::Resolution {
                        kind: x.kind.to_string(),
                        context: api::ResolutionContext {
                            flow_name: x.context.flow_name,
                            trail_name: x.context.trail_name,
                            artifact_status: x.context.artifact_status,
                            for_control: x.context.for_control,
                        },
                    })
                    .collect(),
            })
            .collect(),
    }
}
