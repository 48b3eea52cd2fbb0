//! Compliance of artifacts and trails from their templates and attestations.

use std::collections::HashMap;

use custody_core::compliance::{AttestationStatus, Reported, State, evaluate};
use custody_core::template::Template;
use custody_store::{ArtifactRow, AttestationRow, FlowRow, Store, TrailRow};
use serde_json::{Value, json};

use crate::error::ApiResult;

/// An artifact's evaluated compliance.
#[derive(Debug, Clone)]
pub struct ArtifactCompliance {
    pub state: State,
    pub attestations: Vec<AttestationStatus>,
    pub trail_attestations: Vec<AttestationStatus>,
    /// Attestations that concern the artifact itself, for its history.
    pub bound: Vec<AttestationRow>,
    /// Attestations about the artifact's trail itself.
    pub trail_level: Vec<AttestationRow>,
}

impl ArtifactCompliance {
    /// The `compliance_status` object of API documents.
    pub fn status_json(&self) -> Value {
        json!({
            "status": self.state.as_str(),
            "is_compliant": self.state == State::Compliant,
            "attestations_statuses": self.attestations.iter().chain(&self.trail_attestations).collect::<Vec<_>>(),
        })
    }
}

/// Templates of the flows and trails of some artifacts, loaded together.
pub struct Templates {
    flows: HashMap<i64, FlowRow>,
    trails: HashMap<i64, TrailRow>,
}

impl Templates {
    pub async fn load(store: &dyn Store, flow_ids: &[i64], trail_ids: &[i64]) -> ApiResult<Self> {
        let flows = store.flows_by_id(flow_ids).await?;
        let trails = store.trails_by_id(trail_ids).await?;
        Ok(Templates {
            flows: flows.into_iter().map(|f| (f.id, f)).collect(),
            trails: trails.into_iter().map(|t| (t.id, t)).collect(),
        })
    }

    /// The template in force for a trail of a flow: the trail's own, else the flow's.
    pub fn template(&self, flow_id: i64, trail_id: Option<i64>) -> Template {
        let text = trail_id
            .and_then(|t| self.trails.get(&t))
            .and_then(|t| t.template.clone())
            .or_else(|| self.flows.get(&flow_id).and_then(|f| f.template.clone()));
        text.and_then(|t| Template::parse_stored(&t).ok())
            .unwrap_or_default()
    }
}

pub fn reported(rows: &[&AttestationRow]) -> Vec<Reported> {
    rows.iter()
        .map(|a| Reported {
            id: a.public_id.clone(),
            name: a.name.clone(),
            kind: a.kind.clone(),
            is_compliant: a.is_compliant != 0,
            created_at: a.created_at,
        })
        .collect()
}

/// Whether an attestation concerns this artifact: reported on it, or reported for
/// its template name in its trail or for its commit in its flow.
pub fn binds_to(att: &AttestationRow, artifact: &ArtifactRow) -> bool {
    match att.artifact_id {
        Some(id) => id == artifact.id,
        None => {
            att.flow_id == artifact.flow_id
                && att.target_artifact.is_some()
                && att.target_artifact == artifact.template_name
                && ((att.trail_id.is_some() && att.trail_id == artifact.trail_id)
                    || (att.commit_sha.is_some() && att.commit_sha == artifact.git_commit))
        }
    }
}

/// Whether an attestation is about a trail itself.
pub fn is_trail_level(att: &AttestationRow, trail_id: i64) -> bool {
    att.trail_id == Some(trail_id) && att.artifact_id.is_none() && att.target_artifact.is_none()
}

/// Evaluates every artifact in a few queries.
pub async fn evaluate_artifacts(
    store: &dyn Store,
    rows: &[ArtifactRow],
) -> ApiResult<Vec<ArtifactCompliance>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let attestations = store.attestations_for(rows).await?;
    let flow_ids: Vec<i64> = rows.iter().map(|r| r.flow_id).collect();
    let trail_ids: Vec<i64> = rows.iter().filter_map(|r| r.trail_id).collect();
    let templates = Templates::load(store, &flow_ids, &trail_ids).await?;
    Ok(rows
        .iter()
        .map(|row| evaluate_one(row, &attestations, &templates))
        .collect())
}

pub fn evaluate_one(
    row: &ArtifactRow,
    attestations: &[AttestationRow],
    templates: &Templates,
) -> ArtifactCompliance {
    let template = templates.template(row.flow_id, row.trail_id);
    let bound: Vec<&AttestationRow> = attestations.iter().filter(|a| binds_to(a, row)).collect();
    let requirements = template.artifact_requirements(row.template_name.as_deref());
    let (own_state, own) = evaluate(&requirements, &reported(&bound));
    let trail_level: Vec<&AttestationRow> = row.trail_id.map_or_else(Vec::new, |trail_id| {
        attestations
            .iter()
            .filter(|a| is_trail_level(a, trail_id))
            .collect()
    });
    let (trail_state, trail) = match row.trail_id {
        Some(_) => evaluate(&template.trail_attestations, &reported(&trail_level)),
        None => (State::Compliant, Vec::new()),
    };
    ArtifactCompliance {
        state: State::combine([own_state, trail_state]),
        attestations: own,
        trail_attestations: trail,
        bound: bound.into_iter().cloned().collect(),
        trail_level: trail_level.into_iter().cloned().collect(),
    }
}
