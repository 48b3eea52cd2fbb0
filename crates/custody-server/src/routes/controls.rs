//! `/controls/{org}` (beta): the org's catalogue of controls — create, get,
//! list, update (each change a new version), archive and unarchive — with
//! the decisions made on each and which environments' policies enforce it.
//! Every route answers 403 until the org switches its beta features on.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{
    Control, ControlCoverage, ControlCreate, ControlList, ControlUpdate, ControlVersion, Decision,
    DecisionList, EnvironmentCoverage,
};
use custody_core::ids::{PolicyId, TrailId};
use custody_core::limits;
use custody_core::names::NameKind;
use custody_core::policy::Policy;
use custody_store::{ControlContent, ControlFilter, ControlRow};
use serde::Deserialize;

use super::api_doc::Refusals;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{JsonBody, Paging, Pairs, Params};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

fn json_map(text: &str) -> BTreeMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The caller's org, if its key may act there and the org has switched its
/// beta features on (controls are a beta feature, as in Kosli).
async fn beta_scope(
    state: &AppState,
    auth: &Authed,
    org: &str,
    needed: Permission,
) -> ApiResult<OrgScope> {
    let scope = auth.scope(org, needed)?;
    require_beta(state, &scope).await?;
    Ok(scope)
}

/// Refuses (403) unless the org has switched its beta features on.
pub async fn require_beta(state: &AppState, org: &OrgScope) -> ApiResult<()> {
    let enabled = state
        .store
        .org(&org.name)
        .await?
        .is_some_and(|row| row.beta_enabled != 0);
    if enabled {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "Controls are a beta feature, not enabled for organization '{}': an org admin can enable it with `custody enable beta`",
            org.name
        )))
    }
}

/// The control with this identifier.
pub async fn control(state: &AppState, org: &OrgScope, identifier: &str) -> ApiResult<ControlRow> {
    state
        .store
        .control(org.id, identifier)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Control '{identifier}' does not exist in organization '{}'",
                org.name
            ))
        })
}

/// The org's policies whose latest version requires a decision on the
/// control, by name: two queries, whatever the number of policies.
async fn referencing(state: &AppState, org: &OrgScope, identifier: &str) -> ApiResult<Vec<String>> {
    let policies = state.store.policies(org.id).await?;
    let ids: Vec<PolicyId> = policies.iter().map(|p| p.id).collect();
    let versions = state.store.policy_versions(&ids).await?;
    let mut names: Vec<String> = policies
        .into_iter()
        .filter(|p| {
            versions
                .iter()
                .find(|v| v.policy_id == p.id && v.version == p.latest_version)
                .and_then(|v| Policy::parse(&v.content).ok())
                .is_some_and(|policy| policy.requires_control(identifier))
        })
        .map(|p| p.name)
        .collect();
    names.sort();
    Ok(names)
}

fn document(row: ControlRow, policies_referencing: Vec<String>) -> Control {
    Control {
        identifier: row.identifier,
        name: row.name,
        description: row.description,
        links: json_map(&row.links),
        tags: json_map(&row.tags),
        version: row.version,
        archived: row.archived_at.is_some(),
        created_at: row.created_at.seconds(),
        policies_referencing,
    }
}

fn links_text(links: &BTreeMap<String, String>) -> ApiResult<String> {
    if let Some((name, url)) = links
        .iter()
        .find(|(_, url)| !(url.starts_with("https://") || url.starts_with("http://")))
    {
        return Err(ApiError::bad(format!(
            "link '{name}' is not a web address: '{url}' (use http:// or https://)"
        )));
    }
    Ok(serde_json::to_string(links).unwrap_or_default())
}

/// A version's content, if it fits in one document's size and holds no NUL:
/// every update keeps a version, so each must stay small.
fn bounded(content: ControlContent) -> ApiResult<ControlContent> {
    let text = [&content.name, &content.description, &content.links];
    limits::document("control", &text.map(String::as_str).concat()).map_err(ApiError::bad)?;
    Ok(content)
}

#[utoipa::path(
    post,
    path = "/controls/{org}",
    tag = "controls",
    operation_id = "create_control",
    params(("org" = String, Path, description = "The organization")),
    request_body = ControlCreate,
    responses((status = 201, description = "The control, at version 1", body = Control), Refusals)
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(body): JsonBody<ControlCreate>,
) -> ApiResult<(StatusCode, Json<Control>)> {
    let org = beta_scope(&state, &auth, &org, Permission::Write).await?;
    lookup::field_name(NameKind::Control, "identifier", &body.identifier)?;
    if body.name.trim().is_empty() {
        return Err(ApiError::bad("a control needs a name"));
    }
    let content = bounded(ControlContent {
        name: body.name,
        description: body.description.unwrap_or_default(),
        links: links_text(&body.links.unwrap_or_default())?,
    })?;
    let created = state
        .store
        .create_control(org.id, &body.identifier, &content, state.now())
        .await
        .map_err(|e| match e {
            custody_store::StoreError::Conflict(_) => ApiError::Conflict(format!(
                "A control with identifier '{}' already exists in organization '{}'",
                body.identifier, org.name
            )),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(document(created, Vec::new()))))
}

#[utoipa::path(
    get,
    path = "/controls/{org}/{identifier}",
    tag = "controls",
    operation_id = "get_control",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier")
    ),
    responses((status = 200, description = "The control", body = Control), Refusals)
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, identifier)): Path<(String, String)>,
) -> ApiResult<Json<Control>> {
    let org = beta_scope(&state, &auth, &org, Permission::Read).await?;
    let row = control(&state, &org, &identifier).await?;
    let policies = referencing(&state, &org, &identifier).await?;
    Ok(Json(document(row, policies)))
}

#[utoipa::path(
    get,
    path = "/controls/{org}",
    tag = "controls",
    operation_id = "list_controls",
    params(
        ("org" = String, Path, description = "The organization"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Controls per page (15 unless given)"),
        ("search" = Option<String>, Query, description = "Part of the identifier or name, in any case"),
        ("tag" = Option<Vec<String>>, Query, description = "key or key:value; repeatable"),
        ("archived" = Option<bool>, Query, description = "Archived controls instead of active ones"),
        ("sort_direction" = Option<String>, Query, description = "asc (the default) or desc, by identifier")
    ),
    responses((status = 200, description = "A page of controls", body = ControlList), Refusals)
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    query: Pairs,
    Params(paging): Params<Paging>,
) -> ApiResult<Json<ControlList>> {
    let org = beta_scope(&state, &auth, &org, Permission::Read).await?;
    let page = paging.or_default(15)?;
    let filter = ControlFilter {
        search: query.last("search"),
        tags: query.tags(),
        archived: query.flag("archived")?,
        descending: query.descending()?,
    };
    let (rows, total) = state.store.controls(org.id, &filter, page).await?;
    Ok(Json(ControlList {
        controls: rows.into_iter().map(|r| document(r, Vec::new())).collect(),
        page: page.page,
        per_page: page.per_page,
        total_pages: page.pages(total),
        total_count: total,
    }))
}

#[utoipa::path(
    put,
    path = "/controls/{org}/{identifier}",
    tag = "controls",
    operation_id = "update_control",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier")
    ),
    request_body = ControlUpdate,
    responses((status = 200, description = "The control at its new version", body = Control), Refusals)
)]
pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, identifier)): Path<(String, String)>,
    JsonBody(body): JsonBody<ControlUpdate>,
) -> ApiResult<Json<Control>> {
    let org = beta_scope(&state, &auth, &org, Permission::Write).await?;
    let row = control(&state, &org, &identifier).await?;
    if body.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad("a control needs a name"));
    }
    let content = bounded(ControlContent {
        name: body.name.unwrap_or_else(|| row.name.clone()),
        description: body.description.unwrap_or_else(|| row.description.clone()),
        links: match &body.links {
            Some(links) => links_text(links)?,
            None => row.links.clone(),
        },
    })?;
    state
        .store
        .update_control(&row, &content, state.now())
        .await?;
    let row = control(&state, &org, &identifier).await?;
    let policies = referencing(&state, &org, &identifier).await?;
    Ok(Json(document(row, policies)))
}

async fn set_archived(
    state: AppState,
    auth: Authed,
    (org, identifier): (String, String),
    archived: bool,
) -> ApiResult<Json<Control>> {
    let org = beta_scope(&state, &auth, &org, Permission::Write).await?;
    let row = control(&state, &org, &identifier).await?;
    state
        .store
        .set_control_archived(row.id, archived, state.now())
        .await?;
    let row = control(&state, &org, &identifier).await?;
    Ok(Json(document(row, Vec::new())))
}

#[utoipa::path(
    post,
    path = "/controls/{org}/{identifier}/archive",
    tag = "controls",
    operation_id = "archive_control",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier")
    ),
    responses((status = 200, description = "The archived control", body = Control), Refusals)
)]
pub async fn archive(
    State(state): State<AppState>,
    auth: Authed,
    Path(path): Path<(String, String)>,
) -> ApiResult<Json<Control>> {
    set_archived(state, auth, path, true).await
}

#[utoipa::path(
    post,
    path = "/controls/{org}/{identifier}/unarchive",
    tag = "controls",
    operation_id = "unarchive_control",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier")
    ),
    responses((status = 200, description = "The control, active again", body = Control), Refusals)
)]
pub async fn unarchive(
    State(state): State<AppState>,
    auth: Authed,
    Path(path): Path<(String, String)>,
) -> ApiResult<Json<Control>> {
    set_archived(state, auth, path, false).await
}

#[utoipa::path(
    get,
    path = "/controls/{org}/{identifier}/versions",
    tag = "controls",
    operation_id = "list_control_versions",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier")
    ),
    responses((status = 200, description = "Every version, oldest first", body = Vec<ControlVersion>), Refusals)
)]
pub async fn versions(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, identifier)): Path<(String, String)>,
) -> ApiResult<Json<Vec<ControlVersion>>> {
    let org = beta_scope(&state, &auth, &org, Permission::Read).await?;
    let row = control(&state, &org, &identifier).await?;
    let versions = state.store.control_versions(row.id).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| ControlVersion {
                version: v.version,
                name: v.name,
                description: v.description,
                links: json_map(&v.links),
                created_at: v.created_at.seconds(),
            })
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/controls/{org}/{identifier}/decisions",
    tag = "controls",
    operation_id = "list_control_decisions",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Decisions per page (15 unless given)")
    ),
    responses((status = 200, description = "Decisions on the control, newest first", body = DecisionList), Refusals)
)]
pub async fn decisions(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, identifier)): Path<(String, String)>,
    Params(paging): Params<Paging>,
) -> ApiResult<Json<DecisionList>> {
    let org = beta_scope(&state, &auth, &org, Permission::Read).await?;
    control(&state, &org, &identifier).await?;
    let page = paging.or_default(15)?;
    let (rows, total) = state.store.decisions(org.id, &identifier, page).await?;
    let flows = state
        .store
        .flows_by_id(&rows.iter().map(|r| r.flow_id).collect::<Vec<_>>())
        .await?;
    let trail_ids: Vec<TrailId> = rows.iter().filter_map(|r| r.trail_id).collect();
    let trails = state.store.trails_by_id(&trail_ids).await?;
    let decisions = rows
        .into_iter()
        .map(|r| Decision {
            flow_name: flows
                .iter()
                .find(|f| f.id == r.flow_id)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            trail_name: trails
                .iter()
                .find(|t| Some(t.id) == r.trail_id)
                .map(|t| t.name.clone()),
            id: r.public_id,
            attestation_name: r.name,
            is_compliant: r.is_compliant != 0,
            created_at: r.created_at.seconds(),
        })
        .collect();
    Ok(Json(DecisionList {
        decisions,
        page: page.page,
        per_page: page.per_page,
        total_pages: page.pages(total),
        total_count: total,
    }))
}

/// What `GET …/coverage` filters and pages by.
#[derive(Debug, Deserialize)]
pub struct CoverageQuery {
    /// Environments whose name contains this, in any case.
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub search: Option<String>,
    /// Only covered (`true`) or uncovered (`false`) environments.
    #[serde(default, deserialize_with = "crate::body::flag")]
    pub covered: Option<bool>,
    #[serde(flatten)]
    pub paging: Paging,
}

#[utoipa::path(
    get,
    path = "/controls/{org}/{identifier}/coverage",
    tag = "controls",
    operation_id = "control_coverage",
    params(
        ("org" = String, Path, description = "The organization"),
        ("identifier" = String, Path, description = "The control's identifier"),
        ("search" = Option<String>, Query, description = "Environments whose name contains this (any case)"),
        ("covered" = Option<bool>, Query, description = "Only covered (true) or uncovered (false) environments"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Environments per page (15 unless given, at most 100)")
    ),
    responses((status = 200, description = "Which environments enforce the control; the counts are of all environments that match", body = ControlCoverage), Refusals)
)]
pub async fn coverage(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, identifier)): Path<(String, String)>,
    Params(query): Params<CoverageQuery>,
) -> ApiResult<Json<ControlCoverage>> {
    let org = beta_scope(&state, &auth, &org, Permission::Read).await?;
    let page = query.paging.or_default(15)?;
    if page.per_page > 100 {
        return Err(ApiError::bad(format!(
            "per_page must be between 1 and 100, not {}",
            page.per_page
        )));
    }
    control(&state, &org, &identifier).await?;
    let enforcing = referencing(&state, &org, &identifier).await?;
    let mut attached = super::policy_attachments::attached_by_environment(&state, &org).await?;
    let (envs, _) = state.store.environments(org.id, None).await?;
    let search = query.search.as_deref().map(str::to_lowercase);
    let matching: Vec<EnvironmentCoverage> = envs
        .into_iter()
        .filter(|env| {
            search
                .as_ref()
                .is_none_or(|s| env.name.to_lowercase().contains(s))
        })
        .map(|env| {
            let mut policies = attached.remove(&env.name).unwrap_or_default();
            policies.retain(|p| enforcing.contains(p));
            EnvironmentCoverage {
                environment: env.name,
                covered: !policies.is_empty(),
                policies,
            }
        })
        .collect();
    let covered_count = matching.iter().filter(|e| e.covered).count() as u64;
    let total_count = matching.len() as u64;
    let shown: Vec<EnvironmentCoverage> = matching
        .into_iter()
        .filter(|e| query.covered.is_none_or(|c| e.covered == c))
        .collect();
    let shown_count = shown.len() as u64;
    let environments = shown
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.per_page as usize)
        .collect();
    Ok(Json(ControlCoverage {
        environments,
        covered_count,
        total_count,
        page: page.page,
        per_page: page.per_page,
        total_pages: page.pages(shown_count),
    }))
}
