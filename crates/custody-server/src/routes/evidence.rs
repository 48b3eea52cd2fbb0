//! Reading attestations back: those of a name on a trail or an artifact
//! (a plain list, newest first, as Kosli answers, with their evidence fields), and downloading an
//! attestation's attachment from the evidence vault.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::IntoResponse;
use custody_api::{Attestation, AttestationPayload};
use custody_core::Fingerprint;
use custody_store::{AttestationRow, EvidenceRow, FlowRow};

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::error::{ApiError, ApiResult};
use crate::evidence::intake;
use crate::lookup;
use crate::state::AppState;

/// The API document of a stored attestation, given its flow and trail names,
/// its artifact's fingerprint and its attachment.
pub(super) fn attestation_document(
    state: &AppState,
    org: &str,
    flow_name: &str,
    trail_name: String,
    artifact_fingerprint: Option<String>,
    row: &AttestationRow,
    evidence: Option<&EvidenceRow>,
) -> Attestation {
    let data: AttestationPayload = serde_json::from_str(&row.payload).unwrap_or_default();
    let mut doc = Attestation {
        attestation_id: row.public_id.clone(),
        attestation_name: row.name.clone(),
        attestation_type: row.kind.clone(),
        is_compliant: row.is_compliant != 0,
        flow_name: flow_name.to_string(),
        trail_name,
        artifact_fingerprint,
        target_artifacts: data.target_artifacts,
        git_commit_info: data.git_commit_info,
        origin_url: data.origin_url,
        user_data: data.user_data,
        description: data.description,
        created_at: row.created_at.seconds(),
        html_url: String::new(),
        evidence_archive_fingerprint: None,
        evidence_file_name: None,
        has_evidence: false,
        summary: data.summary,
        extra: Default::default(),
    }
    .with_payload(&row.payload);
    intake::show(&mut doc, evidence);
    doc.html_url = state.attestation_url(org, &doc);
    doc
}

/// The attestations found, newest first, each with its artifact's fingerprint
/// and its attachment (looked up once for all of them).
async fn documents(
    state: &AppState,
    org: &str,
    flow: &FlowRow,
    trail_name: &str,
    found: Vec<(&AttestationRow, Option<String>)>,
) -> ApiResult<Vec<Attestation>> {
    let ids: Vec<_> = found.iter().map(|(row, _)| row.id).collect();
    let evidence = state.store.evidence_of(&ids).await?;
    Ok(found
        .into_iter()
        .rev()
        .map(|(row, fingerprint)| {
            let attached = evidence.iter().find(|e| e.attestation_id == row.id);
            let trail = trail_name.to_string();
            attestation_document(state, org, &flow.name, trail, fingerprint, row, attached)
        })
        .collect())
}

/// `GET /attestations/{org}/{flow}/trail/{trail}/{name}`: every attestation
/// of that name on the trail, newest first (empty when there is none).
#[utoipa::path(
    get,
    path = "/attestations/{org}/{flow}/trail/{trail}/{name}",
    tag = "attestations",
    operation_id = "get_trail_attestation",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("trail" = String, Path, description = "The trail"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "The attestations of this name, newest first (empty when the trail has none)", body = Vec<Attestation>),
        Refusals
    )
)]
pub async fn named_on_trail(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, trail, name)): Path<(String, String, String, String)>,
) -> ApiResult<Json<Vec<Attestation>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let flow = lookup::flow(&state, &org, &flow).await?;
    let trail = lookup::trail(&state, &org, &flow, &trail).await?;
    let rows = state.store.trail_attestations(&[trail.id]).await?;
    let named: Vec<&AttestationRow> = rows.iter().filter(|r| r.name == name).collect();
    let artifacts = match named.iter().any(|r| r.artifact_id.is_some()) {
        true => state.store.trail_artifacts(&[trail.id]).await?,
        false => Vec::new(),
    };
    let found = named
        .into_iter()
        .map(|row| {
            let artifact = artifacts.iter().find(|a| Some(a.id) == row.artifact_id);
            (row, artifact.map(|a| a.fingerprint.to_string()))
        })
        .collect();
    let docs = documents(&state, &org.name, &flow, &trail.name, found).await?;
    Ok(Json(docs))
}

/// `GET /attestations/{org}/{flow}/artifact/{fp}/{name}`: every attestation
/// of that name about the latest artifact with the fingerprint, newest first
/// (empty when there is none).
#[utoipa::path(
    get,
    path = "/attestations/{org}/{flow}/artifact/{fp}/{name}",
    tag = "attestations",
    operation_id = "get_artifact_attestation",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("fp" = String, Path, description = "A fingerprint (SHA-256) or its prefix"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "The attestations of this name, newest first (empty when the artifact has none)", body = Vec<Attestation>),
        Refusals
    )
)]
pub async fn named_on_artifact(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, fp, name)): Path<(String, String, String, String)>,
) -> ApiResult<Json<Vec<Attestation>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let fp = Fingerprint::parse(&fp).map_err(ApiError::bad)?;
    let flow = lookup::flow(&state, &org, &flow).await?;
    let artifact = lookup::artifact(&state, &org, &flow, &fp).await?;
    let rows = state
        .store
        .attestations_for(std::slice::from_ref(&artifact))
        .await?;
    let fingerprint = artifact.fingerprint.to_string();
    let found = rows
        .iter()
        .filter(|r| r.name == name && r.key().binds_to(&artifact.key()))
        .map(|row| (row, Some(fingerprint.clone())))
        .collect();
    let trail_name = artifact.trail_name.clone().unwrap_or_default();
    let docs = documents(&state, &org.name, &flow, &trail_name, found).await?;
    Ok(Json(docs))
}

/// `GET /attestations/{org}/{flow}/trail/{trail}/attestation/{id}/evidence`: the
/// attachment's bytes, as `application/octet-stream` with its file name.
#[utoipa::path(
    get,
    path = "/attestations/{org}/{flow}/trail/{trail}/attestation/{id}/evidence",
    tag = "attestations",
    operation_id = "download_evidence",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("trail" = String, Path, description = "The trail"),
        ("id" = String, Path, description = "The id")
    ),
    responses(
        (status = 200, description = "The attachment's bytes", content_type = "application/octet-stream"),
        Refusals
    )
)]
pub async fn download(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, trail, id)): Path<(String, String, String, String)>,
) -> ApiResult<impl IntoResponse> {
    let org = auth.scope(&org, Permission::Read)?;
    let flow = lookup::flow(&state, &org, &flow).await?;
    let trail = lookup::trail(&state, &org, &flow, &trail).await?;
    let row = state
        .store
        .attestation(&id)
        .await?
        .filter(|r| r.flow_id == flow.id && r.trail_id == Some(trail.id))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Attestation with id '{id}' does not exist in trail '{}' of flow '{}' belonging to organization '{}'",
                trail.name, flow.name, org.name
            ))
        })?;
    let found = state.store.evidence_of(&[row.id]).await?;
    let stored = found.first().ok_or_else(|| {
        ApiError::not_found(format!(
            "Attestation '{}' ({id}) has no evidence attached",
            row.name
        ))
    })?;
    let object = state.evidence.open(&stored.sha256).await?;
    let file_name: String = stored
        .file_name
        .chars()
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    Ok((
        [
            (CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (CONTENT_LENGTH, object.size.to_string()),
        ],
        Body::from_stream(object.chunks),
    ))
}
