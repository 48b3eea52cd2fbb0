//! Environment lifecycle and logical environments:
//! `PUT /environments/{org}/{env}/archive|rename|join`, and the snapshot of a
//! logical environment.
//!
//! Choices: a rename keeps the environment (and its snapshots) and frees the
//! old name, which stops resolving. An archived environment still resolves by
//! name (its history stays readable) but is hidden from lists and refuses
//! reports; creating it again un-archives it. A logical environment has no
//! snapshots of its own: its snapshot is its members' snapshots at the same
//! moment (the latest of each, or each one's current at `@time`), running
//! artifacts only, with index 0.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{Environment, EnvironmentJoin, EnvironmentRename, Snapshot};
use custody_core::expr::SnapshotRef;
use custody_core::names::NameKind;
use custody_store::EnvironmentRow;

use super::api_doc::Refusals;
use super::environments::document;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::JsonBody;
use crate::docs::snapshot;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// The type of environments made of others.
pub const LOGICAL: &str = "logical";

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
    request_body = EnvironmentRename,
    responses(
        (status = 200, description = "Renamed", body = Environment),
        Refusals
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    JsonBody(body): JsonBody<EnvironmentRename>,
) -> ApiResult<Json<Environment>> {
    let org = auth.scope(&org, Permission::Write)?;
    lookup::name(NameKind::Environment, &body.new_name)?;
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
    if logical.kind != LOGICAL {
        return Err(ApiError::bad(format!(
            "environment '{env}' is not a logical environment: only logical environments can be joined"
        )));
    }
    let ids = physical_ids(&state, &org, std::slice::from_ref(&body.physical_env_name)).await?;
    state
        .store
        .join_environment(logical.id, ids[0], state.now())
        .await?;
    Ok(Json(document(&org, logical, None)))
}

/// The ids of existing physical environments, refusing logical ones.
pub async fn physical_ids(
    state: &AppState,
    org: &OrgScope,
    names: &[String],
) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        let row = lookup::environment(state, org, name).await?;
        if row.kind == LOGICAL {
            return Err(ApiError::bad(format!(
                "environment '{name}' is logical: a logical environment can only include physical environments"
            )));
        }
        ids.push(row.id);
    }
    Ok(ids)
}

/// Refuses reports to logical and archived environments.
pub fn check_reportable(env: &EnvironmentRow) -> ApiResult<()> {
    if env.kind == LOGICAL {
        return Err(ApiError::bad(format!(
            "cannot report a snapshot to the logical environment {}",
            env.name
        )));
    }
    if env.archived != 0 {
        return Err(ApiError::bad(format!(
            "cannot report a snapshot to the archived environment {}: create it again to un-archive it",
            env.name
        )));
    }
    Ok(())
}

/// A logical environment's snapshot: its members' running artifacts at `at`.
pub async fn snapshot(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    at: &SnapshotRef,
) -> ApiResult<Snapshot> {
    let mut composed = Snapshot {
        index: 0,
        timestamp: 0.0,
        kind: LOGICAL.to_string(),
        is_latest: true,
        next_snapshot_timestamp: None,
        compliant: Some(true),
        artifacts: Vec::new(),
        applied_policies: Vec::new(),
    };
    let mut found = false;
    for member in state.store.environment_members(env.id).await? {
        let index = match at {
            SnapshotRef::Latest => Some(member.latest_index).filter(|i| *i > 0),
            SnapshotRef::At(time) => {
                let when = time.resolve(state.now());
                state.store.snapshot_at_time(member.id, when).await?
            }
            SnapshotRef::Index(_) | SnapshotRef::Behind(_) => {
                return Err(ApiError::bad(format!(
                    "logical environment '{}' has no numbered snapshots: ask for its latest ({0}) or one at a time ({0}@{{...}})",
                    env.name
                )));
            }
        };
        let Some(index) = index else { continue };
        found = true;
        let member_snapshot = snapshot::document(state, org, &member, index).await?;
        composed.timestamp = composed.timestamp.max(member_snapshot.timestamp);
        composed.is_latest &= member_snapshot.is_latest;
        composed.artifacts.extend(
            member_snapshot
                .artifacts
                .into_iter()
                .filter(|a| a.annotation.now > 0),
        );
    }
    if !found {
        return Err(ApiError::not_found(format!(
            "logical environment '{}' has no member with a snapshot yet",
            env.name
        )));
    }
    composed.compliant = Some(composed.artifacts.iter().all(|a| a.compliant == Some(true)));
    Ok(composed)
}
