//! Attestations of every type on a trail (multipart `data_json`, with an optional
//! `attachment_file` kept in the evidence vault), overrides, and legacy evidence
//! reported on an artifact by fingerprint.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{Attestation, AttestationPayload, LegacyEvidence};
use custody_core::Fingerprint;
use custody_core::attestation::{Kind, builtin_compliance};
use custody_core::limits;
use custody_core::names::NameKind;
use custody_store::{ArtifactRow, AttestationInsert, FlowRow, TrailRow, TrailUpsert};
use serde_json::{Value, json};

use super::api_doc::{AttestationForm, Refusals};
use super::custom_types;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{Form, JsonBody};
use crate::error::{ApiError, ApiResult};
use crate::evidence::{intake, junit_cases};
use crate::state::AppState;
use crate::{lookup, public_id};

struct Target {
    trail: Option<TrailRow>,
    artifact: Option<ArtifactRow>,
}

/// Stores an attestation; `raw` is the whole payload as sent, kept for evidence.
/// The control a decision is made on, if it names one.
fn decided_control(kind: &str, raw: &Value) -> Option<String> {
    (kind == "decision")
        .then(|| raw["control"].as_str().filter(|c| !c.is_empty()))
        .flatten()
        .map(String::from)
}

/// Refuses a decision on a control unless the org has controls (a beta
/// feature) and this one.
async fn check_control(state: &AppState, org: &OrgScope, kind: &str, raw: &Value) -> ApiResult<()> {
    let Some(identifier) = decided_control(kind, raw) else {
        return Ok(());
    };
    super::controls::require_beta(state, org).await?;
    if state.store.control(org.id, &identifier).await?.is_none() {
        return Err(ApiError::not_found(format!(
            "Control '{identifier}' does not exist in organization '{}': create it with `custody create control {identifier} --name NAME`",
            org.name
        )));
    }
    Ok(())
}

async fn record(
    state: &AppState,
    org: &str,
    flow: &FlowRow,
    target: Target,
    raw: &Value,
    kind: &str,
    is_compliant: bool,
) -> ApiResult<Attestation> {
    let data: AttestationPayload = serde_json::from_value(raw.clone())
        .map_err(|e| ApiError::bad(format!("invalid attestation payload: {e}")))?;
    lookup::name(NameKind::Attestation, &data.attestation_name)?;
    let target_artifact = data.target_artifacts.first().cloned();
    if let Some(t) = &target_artifact {
        lookup::name(NameKind::TemplateArtifact, t)?;
    }
    let commit = data
        .git_commit_info
        .as_ref()
        .map(|g| g.sha1.clone())
        .filter(|s| !s.is_empty());
    if let Some(commit) = &commit {
        limits::commit(commit).map_err(ApiError::bad)?;
    }
    let control = decided_control(kind, raw);
    let id = public_id::new();
    let now = state.now();
    let insert = AttestationInsert {
        public_id: id.clone(),
        flow_id: flow.id,
        trail_id: target
            .trail
            .as_ref()
            .map(|t| t.id)
            .or(target.artifact.as_ref().and_then(|a| a.trail_id)),
        artifact_id: target.artifact.as_ref().map(|a| a.id),
        target_artifact: if target.artifact.is_some() {
            None
        } else {
            target_artifact
        },
        commit_sha: commit.or_else(|| target.artifact.as_ref().and_then(|a| a.git_commit.clone())),
        name: data.attestation_name.clone(),
        kind: kind.to_string(),
        is_compliant,
        control,
        payload: raw.to_string(),
        created_at: now,
    };
    state.store.insert_attestation(&insert).await?;
    state
        .metrics
        .attestation(Kind::of_type_name(kind).map_or("other", Kind::as_str));
    let mut doc = Attestation {
        attestation_id: id,
        attestation_name: insert.name,
        attestation_type: insert.kind,
        is_compliant,
        flow_name: flow.name.clone(),
        trail_name: target.trail.map(|t| t.name).unwrap_or_default(),
        artifact_fingerprint: target.artifact.map(|a| a.fingerprint.into()),
        target_artifacts: data.target_artifacts.clone(),
        git_commit_info: data.git_commit_info.clone(),
        origin_url: data.origin_url.clone(),
        user_data: data.user_data.clone(),
        description: data.description.clone(),
        created_at: now.seconds(),
        html_url: String::new(),
        evidence_archive_fingerprint: None,
        evidence_file_name: None,
        has_evidence: false,
        summary: data.summary.clone(),
        extra: Default::default(),
    };
    doc.html_url = state.attestation_url(org, &doc);
    Ok(doc)
}

/// The trail named in a path, begun if it does not exist yet.
async fn trail_or_begin(state: &AppState, flow: &FlowRow, trail: &str) -> ApiResult<TrailRow> {
    lookup::name(NameKind::Trail, trail)?;
    if let Some(t) = state.store.trail(flow.id, trail).await? {
        return Ok(t);
    }
    let upsert = TrailUpsert {
        name: trail.to_string(),
        ..TrailUpsert::default()
    };
    Ok(state
        .store
        .upsert_trail(flow.id, &upsert, state.now())
        .await?
        .0)
}

/// The artifact an attestation names by fingerprint, which must be in the trail.
async fn artifact_in_trail(
    state: &AppState,
    org: &OrgScope,
    flow: &FlowRow,
    trail: &TrailRow,
    raw: &Value,
) -> ApiResult<Option<ArtifactRow>> {
    let Some(fp) = raw.get("artifact_fingerprint").and_then(Value::as_str) else {
        return Ok(None);
    };
    let fp = Fingerprint::parse(fp).map_err(ApiError::bad)?;
    let found = lookup::latest_artifact(state, org, flow, &fp)
        .await?
        .filter(|a| a.trail_id == Some(trail.id));
    found.map(Some).ok_or_else(|| {
        ApiError::not_found(format!(
            "Artifact with fingerprint {fp} does not exist in trail \"{}\" of flow \"{}\" belonging to organization \"{}\"",
            trail.name, flow.name, org.name
        ))
    })
}

/// `POST /attestations/{org}/{flow}/trail/{trail}/{type}`: multipart `data_json`
/// (and an optional `attachment_file`). The server judges compliance from the
/// type's results; a trail that does not exist yet is begun.
#[utoipa::path(
    post,
    path = "/attestations/{org}/{flow}/trail/{trail}/{name}",
    tag = "attestations",
    operation_id = "attest",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("trail" = String, Path, description = "The trail"),
        ("name" = String, Path, description = "The attestation type: generic, junit, snyk, sarif, sonar, jira, pull_request, custom or system")
    ),
    request_body(content = AttestationForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Recorded and judged", body = Attestation),
        Refusals
    )
)]
pub async fn typed(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, trail, kind)): Path<(String, String, String, String)>,
    form: Form,
) -> ApiResult<(StatusCode, Json<Attestation>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let kind = Kind::from_path(&kind).ok_or_else(|| {
        ApiError::not_found(format!(
            "'{kind}' is not an attestation type: use generic, junit, snyk, sarif, sonar, jira, pull_request, custom or system"
        ))
    })?;
    let mut raw: Value = form.json("data_json")?;
    let Some(fields) = raw.as_object_mut() else {
        return Err(ApiError::bad("the 'data_json' part must be a JSON object"));
    };
    // A summary, failed rules and failing cases are the server's reading,
    // never the caller's.
    fields.shift_remove("summary");
    fields.shift_remove("failed_rules");
    fields.shift_remove("failing_cases");
    let flow = lookup::flow(&state, &org, &flow).await?;
    let compliant = match kind {
        Kind::Custom => {
            let judged = custom_types::judge(&state, &org, &raw).await?;
            if !judged.summary.is_empty() {
                raw["summary"] = serde_json::to_value(&judged.summary)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
            }
            if !judged.failed_rules.is_empty() {
                raw["failed_rules"] = json!(judged.failed_rules);
            }
            judged.compliant
        }
        other => builtin_compliance(other, &raw).map_err(ApiError::bad)?,
    };
    let type_name = kind.type_name(&raw);
    check_control(&state, &org, &type_name, &raw).await?;
    let attachment = intake::receive(&state, &form).await?;
    if let (Kind::Junit, Some(attached)) = (kind, form.attachment()) {
        let cases = junit_cases::of_attachment(&attached.file_name, attached.file.path()).await;
        if !cases.is_empty() {
            raw["failing_cases"] = json!(cases);
        }
    }
    let trail = trail_or_begin(&state, &flow, &trail).await?;
    let artifact = artifact_in_trail(&state, &org, &flow, &trail, &raw).await?;
    let target = Target {
        trail: Some(trail),
        artifact,
    };
    let mut doc = record(
        &state, &org.name, &flow, target, &raw, &type_name, compliant,
    )
    .await?;
    if let Some(stored) = attachment {
        intake::attach(&state, &mut doc, stored).await?;
    }
    Ok((StatusCode::CREATED, Json(doc)))
}

/// `POST /attestations/{org}/{flow}/trail/{trail}/override` (JSON): replaces the
/// verdict of an attestation by recording a newer one of the same name and type.
#[utoipa::path(
    post,
    path = "/attestations/{org}/{flow}/trail/{trail}/override",
    tag = "attestations",
    operation_id = "override_attestation",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("trail" = String, Path, description = "The trail")
    ),
    request_body = Value,
    responses(
        (status = 201, description = "Recorded", body = Attestation),
        Refusals
    )
)]
pub async fn override_verdict(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, trail)): Path<(String, String, String)>,
    JsonBody(raw): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Attestation>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let reason = raw
        .get("reason")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty());
    reason.ok_or_else(|| ApiError::bad("an override needs a 'reason'"))?;
    let compliant = raw
        .get("new_compliance_status")
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            ApiError::bad("an override needs 'new_compliance_status' (true or false)")
        })?;
    let original = raw
        .get("original_attestation_type")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad("an override needs 'original_attestation_type'"))?
        .to_string();
    let flow = lookup::flow(&state, &org, &flow).await?;
    let trail = lookup::trail(&state, &org, &flow, &trail).await?;
    let artifact = artifact_in_trail(&state, &org, &flow, &trail, &raw).await?;
    let target = Target {
        trail: Some(trail),
        artifact,
    };
    let doc = record(&state, &org.name, &flow, target, &raw, &original, compliant).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// Legacy evidence: a generic attestation on the latest artifact with a fingerprint.
#[utoipa::path(
    post,
    path = "/evidence/{org}/artifact/{flow}/generic",
    tag = "attestations",
    operation_id = "report_legacy_evidence",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    request_body = Value,
    responses(
        (status = 201, description = "Recorded", body = Attestation),
        Refusals
    )
)]
pub async fn legacy_evidence(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
    JsonBody(data): JsonBody<LegacyEvidence>,
) -> ApiResult<(StatusCode, Json<Attestation>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let fp = Fingerprint::parse(&data.artifact_fingerprint).map_err(ApiError::bad)?;
    let flow = lookup::flow(&state, &org, &flow).await?;
    let artifact = lookup::artifact(&state, &org, &flow, &fp).await?;
    let payload = json!(AttestationPayload {
        attestation_name: data.name,
        artifact_fingerprint: Some(fp.to_string()),
        description: data.description,
        user_data: data.user_data,
        origin_url: data.build_url,
        ..AttestationPayload::default()
    });
    let target = Target {
        trail: None,
        artifact: Some(artifact),
    };
    let doc = record(
        &state,
        &org.name,
        &flow,
        target,
        &payload,
        "generic",
        data.is_compliant,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(doc)))
}
