//! Environment lifecycle and logical environments:
//! `PUT /environments/{org}/{env}/archive|rename|join`.
//!
//! Choices: a rename keeps the environment (and its snapshots) and frees the
//! old name, which stops resolving. An archived environment still resolves by
//! name (its history stays readable) but is hidden from lists and refuses
//! reports; creating it again un-archives it. A logical environment has no
//! snapshots of its own (see [`crate::docs::environment`]).

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{Environment, EnvironmentJoin, Rename};
use custody_core::names::NameKind;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::body::JsonBody;
use crate::docs::environment::document;
use crate::error::ApiResult;
use crate::lookup;
use crate::state::AppState;

/// `PUT /environments/{org}/{env}/archive`.
#[utoipa::path(
    put,
    path = "/environments/{org}/{env}/archive",
    tag = "environments",
    operation_id = "archive_environment",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    responses(
        (status = 200, description = "Archived", body = Environment),
        Refusals
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
) -> ApiResult<Json<Environment>> {
    let org = auth.scope(&org, Permission::Write)?;
    let row = lookup::environment(&state, &org, &env).await?;
    state.store.archive_environment(row.id, state.now()).await?;
    let row = lookup::environment(&state, &org, &env).await?;
    Ok(Json(document(&org, row, None)))
}

/// `PUT /environments/{org}/{env}/rename` with `{"new_name"}`.
#[utoipa::path(
    put,
    path = "/environments/{org}/{env}/rename",
    tag = "environments",
    operation_id = "rename_environment",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    request_body = Rename,
    responses(
        (status = 200, description = "Renamed", body = Environment),
        Refusals
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    JsonBody(body): JsonBody<Rename>,
) -> ApiResult<Json<Environment>> {
    let org = auth.scope(&org, Permission::Write)?;
    lookup::field_name(NameKind::Environment, "new_name", &body.new_name)?;
    let row = lookup::environment(&state, &org, &env).await?;
    state
        .store
        .rename_environment(row.id, &body.new_name, state.now())
        .await?;
    let row = lookup::environment(&state, &org, &body.new_name).await?;
    Ok(Json(document(&org, row, None)))
}

/// `PUT /environments/{org}/{logical}/join` with `{"physical_env_name"}`.
#[utoipa::path(
    put,
    path = "/environments/{org}/{env}/join",
    tag = "environments",
    operation_id = "join_environment",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    request_body = EnvironmentJoin,
    responses(
        (status = 200, description = "Joined", body = Environment),
        Refusals
    )
)]
pub async fn join(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    JsonBody(body): JsonBody<EnvironmentJoin>,
) -> ApiResult<Json<Environment>> {
    let org = auth.scope(&org, Permission::Write)?;
    let logical = lookup::environment(&state, &org, &env).await?;
    logical.kind.check_joinable(&env)?;
    let ids =
        lookup::physical_environments(&state, &org, std::slice::from_ref(&body.physical_env_name))
            .await?;
    state
        .store
        .join_environment(logical.id, ids[0], state.now())
        .await?;
    Ok(Json(document(&org, logical, None)))
}
