//! Compliance of artifacts, read for many at once: their attestations and the
//! templates in force loaded in a few queries, then judged by the rules of
//! `custody_core::binding` and `custody_core::compliance`.

use std::collections::HashMap;

use custody_api::{ArtifactStatus, AttestationState};
use custody_core::compliance::{AttestationStatus, Reported, State, artifact_outcome};
use custody_core::ids::{FlowId, TrailId};
use custody_core::template::{Template, TemplateError};
use custody_store::{ArtifactRow, AttestationRow, FlowRow, Store, TrailRow};

use crate::error::ApiResult;

/// An artifact's evaluated compliance.
#[derive(Debug, Clone)]
pub struct ArtifactCompliance {
    pub state: State,
    pub attestations: Vec<AttestationStatus>,
    pub trail_attestations: Vec<AttestationStatus>,
    /// Why the template in force could not be read (the artifact is then
    /// non-compliant).
    pub template_error: Option<String>,
    /// Attestations that concern the artifact itself, for its history.
    pub bound: Vec<AttestationRow>,
    /// Attestations about the artifact's trail itself.
    pub trail_level: Vec<AttestationRow>,
}

impl ArtifactCompliance {
    /// The `compliance_status` object of API documents.
    pub fn status(&self) -> ArtifactStatus {
        ArtifactStatus {
            status: self.state.as_str().to_string(),
            is_compliant: self.state == State::Compliant,
            attestations_statuses: states(self.attestations.iter().chain(&self.trail_attestations)),
            template_error: self.template_error.clone(),
        }
    }
}

/// Attestation statuses as documents carry them.
pub fn states<'a>(
    statuses: impl IntoIterator<Item = &'a AttestationStatus>,
) -> Vec<AttestationState> {
    statuses
        .into_iter()
        .map(|s| AttestationState {
            attestation_name: s.attestation_name.clone(),
            attestation_type: s.attestation_type.clone(),
            attestation_id: s.attestation_id.clone(),
            status: s.status.to_string(),
            is_compliant: s.is_compliant,
            unexpected: s.unexpected,
        })
        .collect()
}

/// Templates of the flows and trails of some artifacts, loaded together.
pub struct Templates {
    flows: HashMap<FlowId, FlowRow>,
    trails: HashMap<TrailId, TrailRow>,
}

impl Templates {
    pub async fn load(
        store: &dyn Store,
        flow_ids: &[FlowId],
        trail_ids: &[TrailId],
    ) -> ApiResult<Self> {
        let flows = store.flows_by_id(flow_ids).await?;
        let trails = store.trails_by_id(trail_ids).await?;
        Ok(Templates {
            flows: flows.into_iter().map(|f| (f.id, f)).collect(),
            trails: trails.into_iter().map(|t| (t.id, t)).collect(),
        })
    }

    /// The template in force for a trail of a flow.
    pub fn template(
        &self,
        flow_id: FlowId,
        trail_id: Option<TrailId>,
    ) -> Result<Template, TemplateError> {
        let trail = trail_id.and_then(|t| self.trails.get(&t));
        let flow = self.flows.get(&flow_id);
        Template::in_force(
            trail.and_then(|t| t.template.as_deref()),
            flow.and_then(|f| f.template.as_deref()),
        )
    }
}

pub fn reported(rows: &[&AttestationRow]) -> Vec<Reported> {
    rows.iter().map(|a| a.reported()).collect()
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
    let flow_ids: Vec<FlowId> = rows.iter().map(|r| r.flow_id).collect();
    let trail_ids: Vec<TrailId> = rows.iter().filter_map(|r| r.trail_id).collect();
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
    let key = row.key();
    let bound: Vec<&AttestationRow> = attestations
        .iter()
        .filter(|a| a.key().binds_to(&key))
        .collect();
    let trail_level: Vec<&AttestationRow> = row.trail_id.map_or_else(Vec::new, |trail_id| {
        attestations
            .iter()
            .filter(|a| a.key().is_about_trail(trail_id))
            .collect()
    });
    let template = templates.template(row.flow_id, row.trail_id);
    let outcome = artifact_outcome(
        template.as_ref(),
        row.template_name.as_deref(),
        &reported(&bound),
        row.trail_id.map(|_| reported(&trail_level)).as_deref(),
    );
    ArtifactCompliance {
        state: outcome.state,
        attestations: outcome.attestations,
        trail_attestations: outcome.trail_attestations,
        template_error: outcome.template_error,
        bound: bound.into_iter().cloned().collect(),
        trail_level: trail_level.into_iter().cloned().collect(),
    }
}
