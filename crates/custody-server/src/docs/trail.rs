//! Trail documents: the trail's compliance against its template, artifact by
//! artifact, and its events.

use custody_api::{
    FlowRef, GitCommitInfo, SlotStatus, TemplateArtifact, TemplateAttestation, TemplateTrail,
    Trail, TrailEvent, TrailStatus, TrailTemplate,
};
use custody_core::compliance::{Slot, State, TrailArtifact, trail_outcome};
use custody_core::ids::TrailId;
use custody_core::template::{Requirement, Template, TemplateError};
use custody_store::{ArtifactRow, AttestationRow, FlowRow, TrailRow, json};

use super::compliance::{ArtifactCompliance, evaluate_artifacts, reported, states};
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

fn parse_git(text: &Option<String>) -> Option<GitCommitInfo> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

fn event(kind: &str, timestamp: f64) -> TrailEvent {
    TrailEvent {
        kind: kind.to_string(),
        timestamp,
        attestation_type: None,
        template_reference_name: None,
        target_artifact: None,
        artifact_name: None,
        artifact_fingerprint: None,
        is_compliant: None,
        git_commit_info: None,
        attestation_id: None,
    }
}

pub fn tags(flow: &FlowRow) -> std::collections::BTreeMap<String, String> {
    serde_json::from_str(&flow.tags).unwrap_or_default()
}

fn template_of(flow: &FlowRow, trail: &TrailRow) -> Result<Template, TemplateError> {
    Template::in_force(trail.template.as_deref(), flow.template.as_deref())
}

/// The template in force as trail documents carry it, from its text and what
/// was read of it; text that no longer parses is carried as it is (its trail
/// is non-compliant and says why).
fn template_document(text: &str, parsed: Result<&Template, &TemplateError>) -> TrailTemplate {
    let empty = Template::default();
    let parsed = parsed.unwrap_or(&empty);
    let attestations = |list: &[Requirement]| {
        list.iter()
            .map(|r| TemplateAttestation {
                name: r.name.clone(),
                kind: r.kind.clone(),
            })
            .collect()
    };
    TrailTemplate {
        version: 1,
        trail: TemplateTrail {
            attestations: attestations(&parsed.trail_attestations),
            artifacts: parsed
                .artifacts
                .iter()
                .map(|a| TemplateArtifact {
                    name: a.name.clone(),
                    attestations: attestations(&a.attestations),
                })
                .collect(),
        },
        content: text.to_string(),
    }
}

fn slot_status(a: &ArtifactRow, c: &ArtifactCompliance, unexpected: bool) -> SlotStatus {
    SlotStatus {
        artifact_fingerprint: Some(a.fingerprint.to_string()),
        status: c.state.as_str().to_string(),
        is_compliant: c.state == State::Compliant,
        unexpected,
        attestations_statuses: states(&c.attestations),
    }
}

/// A trail's compliance and `compliance_status` from its template, its artifacts
/// (oldest first, with their compliance) and the attestations reported on it.
fn trail_compliance(
    template: Result<&Template, &TemplateError>,
    trail_id: TrailId,
    artifacts: &[(&ArtifactRow, &ArtifactCompliance)],
    attestations: &[AttestationRow],
) -> (State, TrailStatus) {
    let trail_level: Vec<_> = attestations
        .iter()
        .filter(|a| a.key().is_about_trail(trail_id))
        .collect();
    let judged: Vec<TrailArtifact<(&ArtifactRow, &ArtifactCompliance)>> = artifacts
        .iter()
        .map(|pair| TrailArtifact {
            template_name: pair.0.template_name.as_deref(),
            filename: &pair.0.filename,
            state: pair.1.state,
            record: pair,
        })
        .collect();
    let outcome = trail_outcome(template, &reported(&trail_level), &judged);
    let artifacts_statuses = outcome
        .artifacts
        .into_iter()
        .map(|(name, slot)| {
            let status = match slot {
                Slot::Reported {
                    record: (a, c),
                    unexpected,
                    ..
                } => slot_status(a, c, unexpected),
                Slot::Missing(missing) => SlotStatus {
                    artifact_fingerprint: None,
                    status: State::Missing.as_str().to_string(),
                    is_compliant: false,
                    unexpected: false,
                    attestations_statuses: states(&missing),
                },
            };
            (name, status)
        })
        .collect();
    let status = TrailStatus {
        status: outcome.state.as_str().to_string(),
        is_compliant: outcome.state == State::Compliant,
        attestations_statuses: states(&outcome.attestations),
        artifacts_statuses,
        template_error: outcome.template_error,
    };
    (outcome.state, status)
}

/// Compliance of many trails in a fixed number of queries.
pub async fn compliance_of(state: &AppState, trails: &[TrailRow]) -> ApiResult<Vec<State>> {
    let store = state.store.as_ref();
    let ids: Vec<TrailId> = trails.iter().map(|t| t.id).collect();
    let mut artifacts = store.trail_artifacts(&ids).await?;
    artifacts.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
    let compliance = evaluate_artifacts(state, &artifacts).await?;
    let attestations = store.trail_attestations(&ids).await?;
    let flows = store
        .flows_by_id(&trails.iter().map(|t| t.flow_id).collect::<Vec<_>>())
        .await?;
    Ok(trails
        .iter()
        .map(|trail| {
            let own: Vec<_> = artifacts
                .iter()
                .zip(compliance.iter().map(AsRef::as_ref))
                .filter(|(a, _)| a.trail_id == Some(trail.id))
                .collect();
            let template = match flows.iter().find(|f| f.id == trail.flow_id) {
                Some(flow) => template_of(flow, trail),
                None => Ok(Template::default()),
            };
            trail_compliance(template.as_ref(), trail.id, &own, &attestations).0
        })
        .collect())
}

/// The trail document, with compliance evaluated now.
pub async fn document(
    state: &AppState,
    org: &OrgScope,
    flow: &FlowRow,
    trail: &TrailRow,
) -> ApiResult<Trail> {
    let store = state.store.as_ref();
    let mut artifacts = store.trail_artifacts(&[trail.id]).await?;
    artifacts.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
    let compliance = evaluate_artifacts(state, &artifacts).await?;
    let attestations = store.trail_attestations(&[trail.id]).await?;
    let pairs: Vec<_> = artifacts
        .iter()
        .zip(compliance.iter().map(AsRef::as_ref))
        .collect();
    let template = template_of(flow, trail);
    let (overall, compliance_status) =
        trail_compliance(template.as_ref(), trail.id, &pairs, &attestations);

    let mut events: Vec<TrailEvent> = store
        .trail_events(trail.id)
        .await?
        .into_iter()
        .map(|e| event(&e.kind, e.created_at.seconds()))
        .collect();
    for a in &artifacts {
        let mut e = event("artifact_creation_reported", a.created_at.seconds());
        e.artifact_name = Some(a.filename.clone());
        e.artifact_fingerprint = Some(a.fingerprint.to_string());
        e.template_reference_name = a.template_name.clone();
        e.git_commit_info = json(&a.payload)
            .get("git_commit_info")
            .and_then(|g| serde_json::from_value(g.clone()).ok());
        events.push(e);
    }
    for att in &attestations {
        let on_trail = att.key().is_about_trail(trail.id);
        let mut e = event(
            if on_trail {
                "trail_attestation_reported"
            } else {
                "artifact_attestation_reported"
            },
            att.created_at.seconds(),
        );
        e.attestation_type = Some(att.kind.clone());
        e.attestation_id = Some(att.public_id.clone());
        e.template_reference_name = Some(att.name.clone());
        e.target_artifact = att.target_artifact.clone().or_else(|| {
            let artifact = artifacts.iter().find(|a| Some(a.id) == att.artifact_id)?;
            artifact
                .template_name
                .clone()
                .or_else(|| Some(artifact.filename.clone()))
        });
        e.is_compliant = Some(att.is_compliant != 0);
        e.git_commit_info = json(&att.payload)
            .get("git_commit_info")
            .and_then(|g| serde_json::from_value(g.clone()).ok());
        events.push(e);
    }
    events.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));

    Ok(Trail {
        name: trail.name.clone(),
        description: trail.description.clone(),
        flow: FlowRef {
            name: flow.name.clone(),
            tags: tags(flow),
        },
        git_commit_info: parse_git(&trail.git_commit_info),
        origin_url: trail.origin_url.clone(),
        user_data: json(&trail.user_data),
        external_urls: json(&trail.external_urls),
        repo_info: trail.repo_info.as_deref().map(json),
        created_at: trail.created_at.seconds(),
        last_modified_at: trail.last_modified_at.seconds(),
        template: trail
            .template
            .as_deref()
            .or(flow.template.as_deref())
            .map(|text| template_document(text, template.as_ref())),
        compliance_state: overall.as_str().to_string(),
        is_compliant: overall == State::Compliant,
        compliance_status,
        events,
        html_url: state.trail_url(&org.name, &flow.name, &trail.name),
    })
}
