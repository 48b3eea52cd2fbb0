//! Where policies apply: attaching and detaching them
//! (`POST|DELETE /environments/{org}/{env}/policies`, each change appending a
//! re-evaluation snapshot), what is attached where, and allow-lists
//! (`PUT /allowlists/{org}/{env}`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{AllowEntry, AllowedArtifact, PolicyAttachment, PolicyNames};
use custody_core::Fingerprint;
use custody_core::ids::PolicyId;
use custody_store::EnvironmentRow;

use super::api_doc::Refusals;
use super::policies::find;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

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
    let ids: Vec<PolicyId> = policies.iter().map(|p| p.id).collect();
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

async fn attachment(
    state: AppState,
    auth: Authed,
    (org, env): (String, String),
    names: PolicyNames,
    attach: bool,
) -> ApiResult<Json<PolicyAttachment>> {
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
    Ok(Json(PolicyAttachment {
        environment: env.name,
        policy_names: names.policy_names,
        snapshot,
    }))
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
        (status = 200, description = "The attachment", body = PolicyAttachment),
        Refusals
    )
)]
pub async fn attach(
    State(state): State<AppState>,
    auth: Authed,
    Path(path): Path<(String, String)>,
    JsonBody(names): JsonBody<PolicyNames>,
) -> ApiResult<Json<PolicyAttachment>> {
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
        (status = 200, description = "The detachment", body = PolicyAttachment),
        Refusals
    )
)]
pub async fn detach(
    State(state): State<AppState>,
    auth: Authed,
    Path(path): Path<(String, String)>,
    JsonBody(names): JsonBody<PolicyNames>,
) -> ApiResult<Json<PolicyAttachment>> {
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
        (status = 201, description = "Allowed", body = AllowedArtifact),
        Refusals
    )
)]
pub async fn allow(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    JsonBody(entry): JsonBody<AllowEntry>,
) -> ApiResult<(StatusCode, Json<AllowedArtifact>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let env = lookup::environment(&state, &org, &env).await?;
    let fp = Fingerprint::parse(&entry.artifact_fingerprint).map_err(ApiError::bad)?;
    state
        .store
        .allow_artifact(
            env.id,
            &fp,
            &entry.artifact_name,
            &entry.description,
            state.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AllowedArtifact {
            environment: env.name,
            artifact_fingerprint: fp.to_string(),
            artifact_name: entry.artifact_name,
            description: entry.description,
        }),
    ))
}
