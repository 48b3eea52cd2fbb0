//! Environment policies: create or version (`PUT /policies/{org}`), get, list;
//! attach/detach (`POST|DELETE /environments/{org}/{env}/policies`, each change
//! appending a re-evaluation snapshot); allow-lists (`PUT /allowlists/{org}/{env}`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{AllowEntry, PolicyNames};
use custody_core::Fingerprint;
use custody_core::names::NameKind;
use custody_core::policy::Policy;
use custody_store::{EnvironmentRow, PolicyInsert, PolicyRow, PolicyWrite};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api_doc::{PolicyForm, Refusals};
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{Form, JsonBody};
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
        (status = 201, description = "Created", body = Value),
        (status = 200, description = "A new version, or unchanged", body = Value),
        Refusals
    )
)]
pub async fn put(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    form: Form,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
) -> ApiResult<Vec<Value>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let versions = state.store.policy_versions(&ids).await?;
    let attached = state.store.attachments(&ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let versions: Vec<Value> = versions
                .iter()
                .filter(|v| v.policy_id == r.id)
                .map(|v| {
                    json!({"version": v.version, "policy_content": v.content,
                           "comment": v.comment, "created_at": v.created_at})
                })
                .collect();
            let envs: Vec<&String> = attached
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, e)| e)
                .collect();
            json!({
                "org": org.name, "name": r.name, "description": r.description, "type": r.kind,
                "created_at": r.created_at, "latest_version": r.latest_version,
                "versions": versions, "environments": envs,
            })
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
        (status = 200, description = "Policies by name", body = Vec<Value>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
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

/// Names of the policies currently attached to an environment.
pub async fn attached_names(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
) -> ApiResult<Vec<String>> {
    let ids = state
        .store
        .policies_at(env.id, env.latest_index.max(1))
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = state.store.policies(org.id).await?;
    Ok(rows
        .into_iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| p.name)
        .collect())
}

/// The policies attached to each environment of an org now, by environment name,
/// in two queries whatever the number of environments.
pub async fn attached_by_environment(
    state: &AppState,
    org: &OrgScope,
) -> ApiResult<std::collections::BTreeMap<String, Vec<String>>> {
    let policies = state.store.policies(org.id).await?;
    let ids: Vec<i64> = policies.iter().map(|p| p.id).collect();
    let mut by_env = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (policy_id, env) in state.store.attachments(&ids).await? {
        if let Some(p) = policies.iter().find(|p| p.id == policy_id) {
            by_env.entry(env).or_default().push(p.name.clone());
        }
    }
    for names in by_env.values_mut() {
        names.sort();
    }
    Ok(by_env)
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
        (status = 200, description = "The policy and its versions", body = Value),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let org = auth.scope(&org, Permission::Read)?;
    let row = find(&state, &org, &name).await?;
    Ok(Json(documents(&state, &org, vec![row]).await?.remove(0)))
}

async fn attachment(
    state: AppState,
    auth: Authed,
    (org, env): (String, String),
    names: PolicyNames,
    attach: bool,
) -> ApiResult<Json<Value>> {
    let org = auth.scope(&org, Permission::Write)?;
    let env = lookup::environment(&state, &org, &env).await?;
    let mut ids = Vec::new();
    for name in &names.policy_names {
        ids.push(find(&state, &org, name).await?.id);
    }
    let snapshot = state
        .store
        .set_attachment(env.id, &ids, attach, state.now())
        .await?;
    Ok(Json(
        json!({"environment": env.name, "policy_names": names.policy_names, "snapshot": snapshot}),
    ))
}

/// `POST /environments/{org}/{env}/policies`.
#[utoipa::path(
    post,
    path = "/environments/{org}/{env}/policies",
    tag = "policies",
    operation_id = "attach_policies",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    request_body = PolicyNames,
    responses(
        (status = 200, description = "The attachment", body = Value),
        Refusals
    )
)]
pub async fn attach(
    State(state): State<AppState>,
    auth: Authed,
    Path(path): Path<(String, String)>,
    JsonBody(names): JsonBody<PolicyNames>,
) -> ApiResult<Json<Value>> {
    attachment(state, auth, path, names, true).await
}

/// `DELETE /environments/{org}/{env}/policies`.
#[utoipa::path(
    delete,
    path = "/environments/{org}/{env}/policies",
    tag = "policies",
    operation_id = "detach_policies",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    request_body = PolicyNames,
    responses(
        (status = 200, description = "The detachment", body = Value),
        Refusals
    )
)]
pub async fn detach(
    State(state): State<AppState>,
    auth: Authed,
    Path(path): Path<(String, String)>,
    JsonBody(names): JsonBody<PolicyNames>,
) -> ApiResult<Json<Value>> {
    attachment(state, auth, path, names, false).await
}

/// `PUT /allowlists/{org}/{env}`.
#[utoipa::path(
    put,
    path = "/allowlists/{org}/{env}",
    tag = "policies",
    operation_id = "allow_artifact",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    request_body = AllowEntry,
    responses(
        (status = 201, description = "Allowed", body = Value),
        Refusals
    )
)]
pub async fn allow(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    JsonBody(entry): JsonBody<AllowEntry>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let env = lookup::environment(&state, &org, &env).await?;
    let fp = Fingerprint::parse(&entry.artifact_fingerprint).map_err(ApiError::bad)?;
    state
        .store
        .allow_artifact(
            env.id,
            fp.as_str(),
            &entry.artifact_name,
            &entry.description,
            state.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"environment": env.name, "artifact_fingerprint": fp.as_str(),
                    "artifact_name": entry.artifact_name, "description": entry.description}),
        ),
    ))
}
