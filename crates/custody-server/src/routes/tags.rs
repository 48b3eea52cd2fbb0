//! `PATCH /tags/{org}/{type}/{name}`: set and remove tags on flows,
//! environments, controls and repos (named by Custody's id, or by an unambiguous name).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use custody_api::TagChange;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// Most tags one flow, environment or repo carries.
const MAX_TAGS: usize = 100;

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-'))
}

fn apply(current: &str, change: &TagChange) -> ApiResult<BTreeMap<String, String>> {
    if let Some(bad) = change.set_tags.keys().find(|k| !valid_key(k)) {
        return Err(ApiError::bad(format!(
            "tag key '{bad}' is not valid: it must match ^[A-Za-z0-9][A-Za-z0-9._~-]*$"
        )));
    }
    let mut tags: BTreeMap<String, String> = serde_json::from_str(current).unwrap_or_default();
    for key in &change.remove_tags {
        tags.remove(key);
    }
    tags.extend(change.set_tags.clone());
    if tags.len() > MAX_TAGS {
        return Err(ApiError::bad(format!(
            "a resource carries at most {MAX_TAGS} tags: remove some with remove_tags first"
        )));
    }
    Ok(tags)
}

#[utoipa::path(
    patch,
    path = "/tags/{org}/{kind}/{name}",
    tag = "flows",
    operation_id = "change_tags",
    params(
        ("org" = String, Path, description = "The organization"),
        ("kind" = String, Path, description = "What is tagged: flow, environment, control or repo"),
        ("name" = String, Path, description = "The name (for a repo: its id, or its name)")
    ),
    request_body = TagChange,
    responses(
        (status = 200, description = "The tags now", body = BTreeMap<String, String>),
        Refusals
    )
)]
pub async fn change(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, kind, name)): Path<(String, String, String)>,
    JsonBody(change): JsonBody<TagChange>,
) -> ApiResult<Json<BTreeMap<String, String>>> {
    let org = auth.scope(&org, Permission::Write)?;
    match kind.as_str() {
        "flow" | "flows" => {
            let flow = lookup::flow(&state, &org, &name).await?;
            let tags = apply(&flow.tags, &change)?;
            state
                .store
                .set_flow_tags(
                    flow.id,
                    &serde_json::to_string(&tags).unwrap_or_default(),
                    state.now(),
                )
                .await?;
            Ok(Json(tags))
        }
        "env" | "environment" | "environments" => {
            let env = lookup::environment(&state, &org, &name).await?;
            let tags = apply(&env.tags, &change)?;
            state
                .store
                .set_environment_tags(
                    env.id,
                    &serde_json::to_string(&tags).unwrap_or_default(),
                    state.now(),
                )
                .await?;
            Ok(Json(tags))
        }
        "repo" | "repos" => {
            let repo = match super::repos::by_id(&state, &org, &name).await {
                Err(ApiError::NotFound(_)) => {
                    super::repos::by_name(&state, &org, &name, None).await?
                }
                found => found?,
            };
            let tags = apply(&repo.tags, &change)?;
            state
                .store
                .set_repo_tags(repo.id, &tags, state.now())
                .await?;
            Ok(Json(tags))
        }
        "control" | "controls" => {
            let control = super::controls::control(&state, &org, &name).await?;
            let tags = apply(&control.tags, &change)?;
            state
                .store
                .set_control_tags(control.id, &tags, state.now())
                .await?;
            Ok(Json(tags))
        }
        other => Err(ApiError::bad(format!(
            "'{other}' resources cannot be tagged: use flow, environment, control or repo"
        ))),
    }
}
