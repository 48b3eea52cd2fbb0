//! `GET /repos/{org}` and `GET /repos/{org}/{name}`: the repositories seen in
//! trails' and artifacts' `repo_info`, found by name (with a provider when
//! several share it) or by Custody's id.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{Repo, RepoList};
use custody_core::repo::{RepoChoiceError, RepoSighting, choose_by_name};
use custody_store::{RepoFilter, RepoRow, RepoSeen};
use serde_json::Value;

use super::api_doc::Refusals;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{Paging, Pairs, Params};
use crate::error::{ApiError, ApiResult};
use crate::public_id;
use crate::state::AppState;

/// The repo a report's `repo_info` names, to be recorded with the report.
pub fn seen(repo_info: Option<&Value>) -> Option<RepoSeen> {
    Some(RepoSeen {
        public_id: public_id::new(),
        sighting: RepoSighting::from_repo_info(repo_info?)?,
    })
}

fn document(row: RepoRow) -> Repo {
    Repo {
        id: row.public_id,
        name: row.name,
        url: row.url,
        provider: row.provider,
        repo_id: row.external_id,
        tags: serde_json::from_str::<BTreeMap<String, String>>(&row.tags).unwrap_or_default(),
        created_at: row.created_at.seconds(),
        last_seen_at: row.last_seen_at.seconds(),
    }
}

/// The one repo a name means (see [`choose_by_name`]).
pub async fn by_name(
    state: &AppState,
    org: &OrgScope,
    name: &str,
    provider: Option<&str>,
) -> ApiResult<RepoRow> {
    let named = state.store.repos_named(org.id, &[name.to_string()]).await?;
    let named = named.into_iter().map(|r| (r.provider.clone(), r)).collect();
    choose_by_name(name, provider, named).map_err(|e| match e {
        RepoChoiceError::NotFound(_) => ApiError::not_found(e.to_string()),
        RepoChoiceError::Ambiguous { .. } => ApiError::bad(e.to_string()),
    })
}

/// The repo with Custody's id `id`.
pub async fn by_id(state: &AppState, org: &OrgScope, id: &str) -> ApiResult<RepoRow> {
    state
        .store
        .repo(org.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Repo with id '{id}' not found")))
}

#[utoipa::path(
    get,
    path = "/repos/{org}/{name}",
    tag = "repos",
    operation_id = "get_repo",
    params(
        ("org" = String, Path, description = "The organization"),
        ("name" = String, Path, description = "The repo's name, e.g. acme/app"),
        ("provider" = Option<String>, Query, description = "Which provider's repo, when several share the name"),
        ("id" = Option<String>, Query, description = "Custody's id of the repo: wins over the name")
    ),
    responses((status = 200, description = "The repo", body = Repo), Refusals)
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name)): Path<(String, String)>,
    query: Pairs,
) -> ApiResult<Json<Repo>> {
    one(&state, &auth, &org, &name, &query).await
}

/// `GET /repos/{org}/{owner}/{name…}`: a repo name with its slashes as they
/// are (`acme/app`), as the Kosli CLI sends it.
pub async fn get_nested(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, name, rest)): Path<(String, String, String)>,
    query: Pairs,
) -> ApiResult<Json<Repo>> {
    one(&state, &auth, &org, &format!("{name}/{rest}"), &query).await
}

async fn one(
    state: &AppState,
    auth: &Authed,
    org: &str,
    name: &str,
    query: &Pairs,
) -> ApiResult<Json<Repo>> {
    let org = auth.scope(org, Permission::Read)?;
    let row = match query.last("id") {
        Some(id) => by_id(state, &org, &id).await?,
        None => by_name(state, &org, name, query.last("provider").as_deref()).await?,
    };
    Ok(Json(document(row)))
}

#[utoipa::path(
    get,
    path = "/repos/{org}",
    tag = "repos",
    operation_id = "list_repos",
    params(
        ("org" = String, Path, description = "The organization"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Repos per page (15 unless given)"),
        ("name" = Option<String>, Query, description = "Exact name (ignored with repo_id)"),
        ("search" = Option<String>, Query, description = "Part of the name, in any case; not with name"),
        ("provider" = Option<String>, Query, description = "The VCS provider"),
        ("repo_id" = Option<String>, Query, description = "The VCS's id of the repo"),
        ("tag" = Option<Vec<String>>, Query, description = "key or key:value; repeatable"),
        ("sort_direction" = Option<String>, Query, description = "asc (A–Z, the default) or desc")
    ),
    responses((status = 200, description = "A page of repos by name", body = RepoList), Refusals)
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    query: Pairs,
    Params(paging): Params<Paging>,
) -> ApiResult<Json<RepoList>> {
    let org = auth.scope(&org, Permission::Read)?;
    let page = paging.or_default(15)?;
    let (name, search) = (query.last("name"), query.last("search"));
    if name.is_some() && search.is_some() {
        return Err(ApiError::bad(
            "name and search cannot be used together: give one of them",
        ));
    }
    let filter = RepoFilter {
        name,
        search,
        provider: query.last("provider"),
        external_id: query.last("repo_id"),
        tags: query.tags(),
        descending: query.descending()?,
    };
    let (rows, total) = state.store.repos(org.id, &filter, page).await?;
    Ok(Json(RepoList {
        repos: rows.into_iter().map(document).collect(),
        page: page.page,
        per_page: page.per_page,
        total_pages: page.pages(total),
        total_count: total,
    }))
}
