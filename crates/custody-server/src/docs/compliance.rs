//! Compliance of artifacts, read for many at once: their attestations and the
//! templates in force loaded in a few queries, then judged by the rules of
//! `custody_core::binding` and `custody_core::compliance`.

use std::collections::HashMap;
use std::sync::Arc;

use custody_api::{ArtifactStatus, AttestationState};
use custody_core::compliance::{AttestationStatus, Reported, State, artifact_outcome};
use custody_core::ids::{ArtifactId, FlowId, TrailId};
use custody_core::template::{Template, TemplateError};
use custody_store::{ArtifactRow, AttestationRow, FlowRow, Store, TrailRow};

use crate::error::ApiResult;
use crate::state::AppState;

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

/// Evaluates every artifact, reusing verdicts kept at the artifact's current
/// evidence revision and working out the rest in a few queries.
pub async fn evaluate_artifacts(
    state: &AppState,
    rows: &[ArtifactRow],
) -> ApiResult<Vec<Arc<ArtifactCompliance>>> {
    let mut found: Vec<Option<Arc<ArtifactCompliance>>> = rows
        .iter()
        .map(|r| state.verdicts.get(r.id, r.evidence_revision))
        .collect();
    let missing: Vec<ArtifactRow> = rows
        .iter()
        .zip(&found)
        .filter(|(_, kept)| kept.is_none())
        .map(|(row, _)| row.clone())
        .collect();
    let mut fresh = evaluate_from_store(state.store.as_ref(), &missing)
        .await?
        .into_iter();
    for (row, slot) in rows.iter().zip(found.iter_mut()) {
        if slot.is_none() {
            let verdict = Arc::new(fresh.next().expect("one verdict per missing artifact"));
            state
                .verdicts
                .put(row.id, row.evidence_revision, Arc::clone(&verdict));
            *slot = Some(verdict);
        }
    }
    Ok(found.into_iter().flatten().collect())
}

/// Evaluates every artifact from its attestations and templates, in a few
/// queries.
async fn evaluate_from_store(
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
    let index = Bindings::of(&attestations);
    let mut parsed = HashMap::new();
    Ok(rows
        .iter()
        .map(|row| {
            let template = parsed
                .entry((row.flow_id, row.trail_id))
                .or_insert_with(|| templates.template(row.flow_id, row.trail_id));
            evaluate_one(row, &index, template.as_ref())
        })
        .collect())
}

/// Attestations indexed by what they may bind to, so that finding those of
/// one artifact looks at its candidates only; which candidates do bind is
/// still `custody_core::binding`'s to say.
struct Bindings<'a> {
    all: &'a [AttestationRow],
    by_artifact: HashMap<ArtifactId, Vec<usize>>,
    by_template_name: HashMap<(FlowId, &'a str), Vec<usize>>,
    by_trail: HashMap<TrailId, Vec<usize>>,
}

impl<'a> Bindings<'a> {
    fn of(all: &'a [AttestationRow]) -> Self {
        let mut index = Bindings {
            all,
            by_artifact: HashMap::new(),
            by_template_name: HashMap::new(),
            by_trail: HashMap::new(),
        };
        for (i, a) in all.iter().enumerate() {
            if let Some(id) = a.artifact_id {
                index.by_artifact.entry(id).or_default().push(i);
            }
            if let Some(name) = a.target_artifact.as_deref() {
                index
                    .by_template_name
                    .entry((a.flow_id, name))
                    .or_default()
                    .push(i);
            }
            if let Some(trail) = a.trail_id {
                index.by_trail.entry(trail).or_default().push(i);
            }
        }
        index
    }

    /// The attestations bound to the artifact, in the order given.
    fn bound(&self, row: &ArtifactRow) -> Vec<&'a AttestationRow> {
        let key = row.key();
        let by_id = self.by_artifact.get(&row.id).into_iter().flatten();
        let by_name = row
            .template_name
            .as_deref()
            .and_then(|name| self.by_template_name.get(&(row.flow_id, name)))
            .into_iter()
            .flatten();
        let mut found: Vec<usize> = by_id
            .chain(by_name)
            .copied()
            .filter(|&i| self.all[i].key().binds_to(&key))
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| &self.all[i]).collect()
    }

    /// The attestations about the artifact's trail itself.
    fn trail_level(&self, trail_id: TrailId) -> Vec<&'a AttestationRow> {
        self.by_trail
            .get(&trail_id)
            .into_iter()
            .flatten()
            .map(|&i| &self.all[i])
            .filter(|a| a.key().is_about_trail(trail_id))
            .collect()
    }
}

fn evaluate_one(
    row: &ArtifactRow,
    index: &Bindings,
    template: Result<&Template, &TemplateError>,
) -> ArtifactCompliance {
    let bound = index.bound(row);
    let trail_level = row.trail_id.map_or_else(Vec::new, |t| index.trail_level(t));
    let outcome = artifact_outcome(
        template,
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
