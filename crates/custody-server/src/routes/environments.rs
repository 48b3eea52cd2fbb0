//! Environments: create or update (logical ones with their members), get, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{Environment, EnvironmentCreate, EnvironmentPage, ListOrPage};
use custody_core::ids::EnvironmentId;
use custody_core::names::NameKind;
use custody_core::{EnvironmentError, EnvironmentType};
use custody_store::{EnvironmentRow, EnvironmentUpsert};

use super::api_doc::Refusals;
use super::environment_filter::EnvironmentFilter;
use crate::auth::{Authed, Permission};
use crate::body::{JsonBody, Paging, Pairs, Params};
use crate::docs::environment::document;
use crate::docs::{current, snapshot};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// `PUT /environments/{org}`: creates or updates.
#[utoipa::path(
    put,
    path = "/environments/{org}",
    tag = "environments",
    operation_id = "put_environment",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    request_body = EnvironmentCreate,
    responses(
        (status = 201, description = "Created", body = Environment),
        (status = 200, description = "Updated or unchanged", body = Environment),
        Refusals
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(data): JsonBody<EnvironmentCreate>,
) -> ApiResult<(StatusCode, Json<Environment>)> {
    let org = auth.scope(&org, Permission::Report)?;
    lookup::field_name(NameKind::Environment, "name", &data.name)?;
    let kind = EnvironmentType::parse(&data.kind).map_err(|e| ApiError::invalid("type", e))?;
    let members = match (kind, &data.included_environments) {
        (EnvironmentType::Logical, Some(names)) => {
            Some(lookup::physical_environments(&state, &org, names).await?)
        }
        (_, Some(names)) if !names.is_empty() => {
            return Err(EnvironmentError::MembersOfPhysical.into());
        }
        _ => None,
    };
    let upsert = EnvironmentUpsert {
        name: data.name,
        kind,
        description: data.description,
        include_scaling: data.include_scaling.unwrap_or(true),
    };
    if let Some(existing) = state.store.environment(org.id, &upsert.name).await? {
        existing.kind.check_change(&upsert.name, kind)?;
        if changes(&state, &existing, &upsert, members.as_deref()).await? {
            auth.scope(&org.name, Permission::Write).map_err(|_| {
                ApiError::Forbidden(format!(
                    "environment '{}' exists: changing its type, description, scaling or members, or un-archiving it, needs at least the member role",
                    upsert.name
                ))
            })?;
        }
    }
    let (row, created) = state
        .store
        .upsert_environment(org.id, &upsert, state.now())
        .await?;
    if let Some(ids) = members {
        state
            .store
            .set_environment_members(row.id, &ids, state.now())
            .await?;
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(document(&org, row, None))))
}

/// Whether re-creating an existing environment would change it: its settings,
/// its members, or its archived flag. Re-sending the same definition (as CI
/// jobs do on every run) changes nothing and needs only the snapshotter role.
async fn changes(
    state: &AppState,
    existing: &EnvironmentRow,
    upsert: &EnvironmentUpsert,
    members: Option<&[EnvironmentId]>,
) -> ApiResult<bool> {
    let settings = existing.archived != 0
        || existing.kind != upsert.kind
        || existing.description != upsert.description
        || (existing.include_scaling != 0) != upsert.include_scaling;
    if settings {
        return Ok(true);
    }
    let Some(wanted) = members else {
        return Ok(false);
    };
    let mut current: Vec<EnvironmentId> = state
        .store
        .environment_members(existing.id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let mut wanted = wanted.to_vec();
    current.sort_unstable();
    wanted.sort_unstable();
    wanted.dedup();
    Ok(current != wanted)
}

/// `GET /environments/{org}/{env}`; `state` is the latest snapshot's compliance.
#[utoipa::path(
    get,
    path = "/environments/{org}/{env}",
    tag = "environments",
    operation_id = "get_environment",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment")
    ),
    responses(
        (status = 200, description = "The environment", body = Environment),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
) -> ApiResult<Json<Environment>> {
    let org = auth.scope(&org, Permission::Read)?;
    let row = lookup::environment(&state, &org, &env).await?;
    let compliant = match row.latest_index {
        0 => None,
        latest => {
            snapshot::document(&state, &org, &row, latest)
                .await?
                .compliant
        }
    };
    let policies = super::policy_attachments::attached_names(&state, &org, &row).await?;
    let mut doc = document(&org, row, compliant);
    doc.policies = policies;
    Ok(Json(doc))
}

/// A plain array unless paging parameters are sent, then Kosli's envelope;
/// each environment's `state` is its latest snapshot's compliance.
#[utoipa::path(
    get,
    path = "/environments/{org}",
    tag = "environments",
    operation_id = "list_environments",
    params(
        ("org" = String, Path, description = "The organization"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Items per page"),
        ("name" = Option<String>, Query, description = "Part of the name, in any case"),
        ("type" = Option<Vec<String>>, Query, description = "An environment type; repeatable"),
        ("tag" = Option<Vec<String>>, Query, description = "key or key:value; repeatable"),
        ("sort" = Option<String>, Query, description = "name (the default), last_modified_at or last_changed_at"),
        ("sort_direction" = Option<String>, Query, description = "asc (the default) or desc")
    ),
    responses(
        (status = 200, description = "Environments by name: a list, or a page of them when paging is asked for", body = Value),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    query: Pairs,
    Params(paging): Params<Paging>,
) -> ApiResult<Json<ListOrPage<Environment, EnvironmentPage>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let page = paging.requested(15)?;
    let filter = EnvironmentFilter::from_query(&query)?;
    let (rows, total) = if filter.is_everything() {
        state.store.environments(org.id, page).await?
    } else {
        let (all, _) = state.store.environments(org.id, None).await?;
        filter.page(all, page)
    };
    let mut attached = super::policy_attachments::attached_by_environment(&state, &org).await?;
    let compliance =
        current::compliance_now(&state, &org, &rows.iter().collect::<Vec<_>>()).await?;
    let envs: Vec<Environment> = rows
        .into_iter()
        .map(|row| {
            let policies = attached.remove(&row.name).unwrap_or_default();
            let compliant = compliance.get(&row.id).copied();
            let mut doc = document(&org, row, compliant);
            doc.policies = policies;
            doc
        })
        .collect();
    Ok(Json(match page {
        None => ListOrPage::List(envs),
        Some(p) => ListOrPage::Page(EnvironmentPage {
            page: p.page,
            per_page: p.per_page,
            total_pages: p.pages(total),
            total_count: total,
            environments: envs,
        }),
    }))
}
