//! `GET /trails/{org}/{flow}/{trail}/audit_package` and
//! `GET /artifacts/{org}/{flow}/{fingerprint}/audit_package`: a trail or an
//! artifact as one `tar.gz` for auditors — its document, its attestations
//! and every evidence file, and the org's signed log checkpoint to check
//! them against (see [`crate::docs::audit_package`]).

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use custody_core::ids::{AttestationId, TrailId};
use custody_store::{ArtifactRow, AttestationRow, FlowRow};

use super::api_doc::Refusals;
use super::artifacts::{TrailQuery, latest_record};
use super::evidence::attestation_document;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::Params;
use crate::docs::artifact::documents;
use crate::docs::audit_package::{Package, safe_name};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

const README_TAIL: &str = "
Every `attestations.json` entry is the attestation as the API serves it; an
attestation's attachment is under `evidence/<name>-<id>/`, byte for byte as
uploaded (its SHA-256 is the attestation's `evidence_archive_fingerprint`).
`log-checkpoint.json` is the org's tamper-evident log head, signed by the
server's log key at the time of the download (the checkpoint `custody verify` checks).
";

/// The attestations, as documents, with their evidence files.
async fn add_attestations(
    state: &AppState,
    org: &OrgScope,
    flow: &FlowRow,
    rows: Vec<AttestationRow>,
    artifacts: &[ArtifactRow],
    package: &mut Package,
) -> ApiResult<()> {
    let ids: Vec<AttestationId> = rows.iter().map(|r| r.id).collect();
    let evidence = state.store.evidence_of(&ids).await?;
    let trail_ids: Vec<TrailId> = rows.iter().filter_map(|r| r.trail_id).collect();
    let trails = state.store.trails_by_id(&trail_ids).await?;
    let mut docs = Vec::with_capacity(rows.len());
    for row in &rows {
        let trail_name = trails
            .iter()
            .find(|t| Some(t.id) == row.trail_id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let fingerprint = artifacts
            .iter()
            .find(|a| Some(a.id) == row.artifact_id)
            .map(|a| a.fingerprint.to_string());
        let attached = evidence.iter().find(|e| e.attestation_id == row.id);
        let doc = attestation_document(
            state,
            &org.name,
            &flow.name,
            trail_name,
            fingerprint,
            row,
            attached,
        );
        if let Some(file) = attached {
            let folder = safe_name(&format!("{}-{}", row.name, row.public_id));
            package.add_evidence(
                &format!("evidence/{folder}/{}", safe_name(&file.file_name)),
                &file.sha256,
                u64::try_from(file.size).unwrap_or(0),
            );
        }
        docs.push(doc);
    }
    package.add_json("attestations.json", &docs)
}

/// The signed log checkpoint, then the archive as a download.
pub(super) async fn deliver(
    state: AppState,
    auth: Authed,
    org: String,
    mut package: Package,
    (file_name, readme): (String, String),
) -> ApiResult<Response> {
    let vault = state.evidence.clone();
    let checkpoint = super::ledger::checkpoint(State(state), auth, Path(org))
        .await?
        .0;
    package.add_json("log-checkpoint.json", &checkpoint)?;
    let body = package.into_body(&readme, vault);
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [
            (CONTENT_TYPE, "application/gzip".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/trails/{org}/{flow}/{trail}/audit_package",
    tag = "trails",
    operation_id = "download_trail_audit_package",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("trail" = String, Path, description = "The trail")
    ),
    responses(
        (status = 200, description = "The trail's audit package (tar.gz)", content_type = "application/gzip", body = Vec<u8>),
        Refusals
    )
)]
pub async fn trail(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, trail)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let scope = auth.scope(&org, Permission::Read)?;
    let flow_row = lookup::flow(&state, &scope, &flow).await?;
    let trail_row = lookup::trail(&state, &scope, &flow_row, &trail).await?;
    let doc = crate::docs::trail::document(&state, &scope, &flow_row, &trail_row).await?;
    let mut package = Package::new(&format!("{flow}-{trail}"), state.now().seconds());
    package.add_json("trail.json", &doc)?;
    let rows = state.store.trail_attestations(&[trail_row.id]).await?;
    let count = rows.len();
    let artifacts = state.store.trail_artifacts(&[trail_row.id]).await?;
    add_attestations(&state, &scope, &flow_row, rows, &artifacts, &mut package).await?;
    let readme = format!(
        "# Audit package of trail {trail} of flow {flow}\n\nOrganization {}, {count} attestations, \
         downloaded from {}.\n{README_TAIL}",
        scope.name, state.public_url
    );
    let file = format!(
        "{}.tar.gz",
        safe_name(&format!("{flow}-{trail}-audit-package"))
    );
    deliver(state, auth, org, package, (file, readme)).await
}

#[utoipa::path(
    get,
    path = "/artifacts/{org}/{flow}/{fingerprint}/audit_package",
    tag = "artifacts",
    operation_id = "download_artifact_audit_package",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("fingerprint" = String, Path, description = "The artifact's fingerprint, or a prefix of it"),
        ("trail" = Option<String>, Query, description = "The artifact as reported in this trail")
    ),
    responses(
        (status = 200, description = "The artifact's audit package (tar.gz)", content_type = "application/gzip", body = Vec<u8>),
        Refusals
    )
)]
pub async fn artifact(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, fingerprint)): Path<(String, String, String)>,
    Params(q): Params<TrailQuery>,
) -> ApiResult<Response> {
    let scope = auth.scope(&org, Permission::Read)?;
    let flow_row = lookup::flow(&state, &scope, &flow).await?;
    let row = latest_record(
        &state,
        &scope,
        (&flow_row, &flow),
        &fingerprint,
        q.trail.as_deref(),
    )
    .await?;
    let doc = documents(&state, &scope, std::slice::from_ref(&row))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal("no document for the artifact record".into()))?;
    let mut package = Package::new(
        &format!("{flow}-{}", short_fp(&doc.fingerprint)),
        state.now().seconds(),
    );
    package.add_json("artifact.json", &doc)?;
    let attestations = state
        .store
        .attestations_for(std::slice::from_ref(&row))
        .await?;
    add_attestations(
        &state,
        &scope,
        &flow_row,
        attestations,
        std::slice::from_ref(&row),
        &mut package,
    )
    .await?;
    let readme = format!(
        "# Audit package of artifact {} ({})\n\nFlow {flow} of organization {}, fingerprint {}, \
         downloaded from {}.\n{README_TAIL}",
        doc.filename, doc.state, scope.name, doc.fingerprint, state.public_url
    );
    let file = format!(
        "{}-audit-package.tar.gz",
        safe_name(&format!("{flow}-{}", short_fp(&doc.fingerprint)))
    );
    deliver(state, auth, org, package, (file, readme)).await
}

/// The first 12 characters of a fingerprint, for names.
fn short_fp(fingerprint: &str) -> String {
    fingerprint.chars().take(12).collect()
}
