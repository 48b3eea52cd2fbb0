//! Actions (notifications): create or update one over environments or flows
//! (`PUT /actions/{org}/environments|flows`, by name), list, get and delete
//! them by number. Members manage actions; readers see them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{ActionDocument, ActionTarget, EnvActionInput, FlowActionInput};
use custody_store::{ActionRow, ActionTargetRow};

use super::action_input::{Given, check};
use super::api_doc::Refusals;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::notify::triggers::{Scope, stored_list};
use crate::state::AppState;

/// A webhook address as a caller may see it: whole for those who may change
/// actions, else only its origin (a webhook's path is often its secret, as a
/// Slack incoming webhook's is).
fn shown(webhook: &str, whole: bool) -> String {
    if whole {
        return webhook.to_string();
    }
    reqwest::Url::parse(webhook).map_or_else(
        |_| "…".to_string(),
        |u| format!("{}/…", u.origin().ascii_serialization()),
    )
}

/// Whether a caller sees webhook addresses whole: members and admins do.
fn sees_webhooks(auth: &Authed) -> bool {
    auth.0.role >= Permission::Write.role()
}

/// The documents of some actions, with their targets; `whole` shows webhook
/// addresses in full.
pub async fn documents(
    state: &AppState,
    rows: Vec<ActionRow>,
    whole: bool,
) -> ApiResult<Vec<ActionDocument>> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let targets = state.store.action_targets(&ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine: Vec<&ActionTargetRow> =
                targets.iter().filter(|t| t.action_id == r.id).collect();
            let names = Some(stored_list(&r.scope));
            let (environments, flows) = match Scope::of_kind(&r.kind) {
                Some(Scope::Flows) => (None, names),
                _ => (names, None),
            };
            ActionDocument {
                number: r.number,
                is_failing: mine.iter().any(|t| t.is_failing()),
                targets: mine
                    .into_iter()
                    .map(|t| ActionTarget {
                        kind: t.kind.clone(),
                        webhook: shown(&t.webhook, whole),
                        payload_version: t.payload_version.clone(),
                        last_success_at: t.last_success_at.map(|t| t.seconds()),
                        last_failure_at: t.last_failure_at.map(|t| t.seconds()),
                        last_error: t.last_error.clone(),
                    })
                    .collect(),
                name: r.name,
                kind: r.kind,
                environments,
                flows,
                triggers: stored_list(&r.triggers),
                created_at: r.created_at.seconds(),
                last_modified_at: r.updated_at.seconds(),
            }
        })
        .collect())
}

async fn put(
    state: &AppState,
    org: &OrgScope,
    given: Given,
) -> ApiResult<(StatusCode, Json<ActionDocument>)> {
    let insert = check(state, org, given).await?;
    let (row, created) = state.store.put_action(org.id, &insert, state.now()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(documents(state, vec![row], true).await?.remove(0)),
    ))
}

/// `PUT /actions/{org}/environments`.
#[utoipa::path(
    put,
    path = "/actions/{org}/environments",
    tag = "actions",
    operation_id = "create_or_update_env_action",
    params(("org" = String, Path, description = "The organization")),
    request_body = EnvActionInput,
    responses(
        (status = 201, description = "Created", body = ActionDocument),
        (status = 200, description = "Updated", body = ActionDocument),
        Refusals
    )
)]
pub async fn put_environments(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(body): JsonBody<EnvActionInput>,
) -> ApiResult<(StatusCode, Json<ActionDocument>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let given = Given {
        name: body.name,
        kind: body.kind,
        scope: Scope::Environments,
        names: body.environments,
        triggers: body.triggers,
        targets: body.targets,
    };
    put(&state, &org, given).await
}

/// `PUT /actions/{org}/flows`.
#[utoipa::path(
    put,
    path = "/actions/{org}/flows",
    tag = "actions",
    operation_id = "create_or_update_flow_action",
    params(("org" = String, Path, description = "The organization")),
    request_body = FlowActionInput,
    responses(
        (status = 201, description = "Created", body = ActionDocument),
        (status = 200, description = "Updated", body = ActionDocument),
        Refusals
    )
)]
pub async fn put_flows(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(body): JsonBody<FlowActionInput>,
) -> ApiResult<(StatusCode, Json<ActionDocument>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let given = Given {
        name: body.name,
        kind: body.kind,
        scope: Scope::Flows,
        names: body.flows,
        triggers: body.triggers,
        targets: body.targets,
    };
    put(&state, &org, given).await
}

/// `GET /actions/{org}`: by number.
#[utoipa::path(
    get,
    path = "/actions/{org}",
    tag = "actions",
    operation_id = "list_actions",
    params(("org" = String, Path, description = "The organization")),
    responses(
        (status = 200, description = "Actions by number", body = Vec<ActionDocument>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<ActionDocument>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let rows = state.store.actions(org.id).await?;
    Ok(Json(documents(&state, rows, sees_webhooks(&auth)).await?))
}

/// The action with the number in a path.
async fn numbered(state: &AppState, org: &OrgScope, number: &str) -> ApiResult<ActionRow> {
    let missing = || {
        ApiError::not_found(format!(
            "Action number '{number}' does not exist for organization '{}'",
            org.name
        ))
    };
    let n: i64 = number.parse().map_err(|_| missing())?;
    state.store.action(org.id, n).await?.ok_or_else(missing)
}

/// `GET /actions/{org}/{action_number}`.
#[utoipa::path(
    get,
    path = "/actions/{org}/{action_number}",
    tag = "actions",
    operation_id = "get_action",
    params(
        ("org" = String, Path, description = "The organization"),
        ("action_number" = i64, Path, description = "The action's number")
    ),
    responses(
        (status = 200, description = "The action", body = ActionDocument),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, number)): Path<(String, String)>,
) -> ApiResult<Json<ActionDocument>> {
    let org = auth.scope(&org, Permission::Read)?;
    let row = numbered(&state, &org, &number).await?;
    Ok(Json(
        documents(&state, vec![row], sees_webhooks(&auth))
            .await?
            .remove(0),
    ))
}

/// `DELETE /actions/{org}/{action_number}`.
#[utoipa::path(
    delete,
    path = "/actions/{org}/{action_number}",
    tag = "actions",
    operation_id = "delete_action",
    params(
        ("org" = String, Path, description = "The organization"),
        ("action_number" = i64, Path, description = "The action's number")
    ),
    responses(
        (status = 200, description = "Deleted"),
        Refusals
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, number)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let org = auth.scope(&org, Permission::Write)?;
    let row = numbered(&state, &org, &number).await?;
    state
        .store
        .delete_action(org.id, row.number, state.now())
        .await?;
    Ok(StatusCode::OK)
}
