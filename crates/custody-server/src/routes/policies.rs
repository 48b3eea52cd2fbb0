//! Environment policies: create or version (`PUT /policies/{org}`), get, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{PolicyDocument, PolicyVersion};
use custody_core::ids::PolicyId;
use custody_core::names::NameKind;
use custody_core::policy::Policy;
use custody_store::{PolicyInsert, PolicyRow, PolicyWrite};
use serde::Deserialize;

use super::api_doc::{PolicyForm, Refusals};
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::Form;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyPayload {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    comment: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

/// `PUT /policies/{org}`: 201 when created, 200 when updated (or unchanged).
#[utoipa::path(
    put,
    path = "/policies/{org}",
    tag = "policies",
    operation_id = "put_policy",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    request_body(content = PolicyForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Created", body = PolicyDocument),
        (status = 200, description = "A new version, or unchanged", body = PolicyDocument),
        Refusals
    )
)]
pub async fn put(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    form: Form,
) -> ApiResult<(StatusCode, Json<PolicyDocument>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let payload: PolicyPayload = form.json("payload")?;
    lookup::name(NameKind::Policy, &payload.name)?;
    let kind = payload.kind.unwrap_or_else(|| "env".to_string());
    if kind != "env" {
        return Err(ApiError::bad(format!(
            "policy type '{kind}' is not supported: use 'env'"
        )));
    }
    let content = form
        .text("policy_file")?
        .ok_or_else(|| ApiError::bad("the multipart form has no 'policy_file' part"))?;
    Policy::parse(&content).map_err(ApiError::bad)?;
    let insert = PolicyInsert {
        name: payload.name,
        description: payload.description,
        kind,
        content,
        comment: payload.comment,
    };
    let (row, write) = state.store.put_policy(org.id, &insert, state.now()).await?;
    let status = match write {
        PolicyWrite::Created => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((
        status,
        Json(documents(&state, &org, vec![row]).await?.remove(0)),
    ))
}

async fn documents(
    state: &AppState,
    org: &OrgScope,
    rows: Vec<PolicyRow>,
) -> ApiResult<Vec<PolicyDocument>> {
    let ids: Vec<PolicyId> = rows.iter().map(|r| r.id).collect();
    let versions = state.store.policy_versions(&ids).await?;
    let attached = state.store.attachments(&ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| PolicyDocument {
            versions: versions
                .iter()
                .filter(|v| v.policy_id == r.id)
                .map(|v| PolicyVersion {
                    version: v.version,
                    policy_yaml: v.content.clone(),
                    comment: v.comment.clone(),
                    created_at: v.created_at.seconds(),
                })
                .collect(),
            consuming_envs: attached
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, e)| e.clone())
                .collect(),
            org: org.name.clone(),
            name: r.name,
            description: r.description,
            kind: r.kind,
            created_at: r.created_at.seconds(),
            latest_version: r.latest_version,
        })
        .collect())
}

/// `GET /policies/{org}`.
#[utoipa::path(
    get,
    path = "/policies/{org}",
    tag = "policies",
    operation_id = "list_policies",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    responses(
        (status = 200, description = "Policies by name", body = Vec<PolicyDocument>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<PolicyDocument>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let rows = state.store.policies(org.id).await?;
    Ok(Json(documents(&state, &org, rows).await?))
}

/// A policy of the org, or 404.
pub async fn find(state: &AppState, org: &OrgScope, name: &str) -> ApiResult<PolicyRow> {
    state.store.policy(org.id, name).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Policy '{name}' does not exist in organization '{}'",
            org.name
        ))
    })
}

/// `GET /policies/{org}/{name}`.
#[utoipa::path(
    get,
    path = "/policies/{org}/{name}",
    tag = "policies",
    operation_id = "get_policy",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The name")
    ),
    responses(
        (status = 200, description = "The policy and its versions", body = PolicyDocument),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<Json<PolicyDocument>> {
    let org = auth.scope(&org, Permission::Read)?;
    let row = find(&state, &org, &name).await?;
    Ok(Json(documents(&state, &org, vec![row]).await?.remove(0)))
}
