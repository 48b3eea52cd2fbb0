//! Artifacts: report (attest artifact), get by fingerprint or commit prefix, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{Artifact, ArtifactReport};
use custody_core::limits;
use custody_core::names::NameKind;
use custody_core::repo::RepoChoiceError;
use custody_core::{Fingerprint, HexPrefix};
use custody_store::{ArtifactInsert, ArtifactRow, ArtifactScope, FlowRow, TrailUpsert};
use serde::Deserialize;
use serde_json::json;

use super::api_doc::Refusals;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{JsonBody, Paging, Params, non_empty};
use crate::docs::artifact::documents;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// `POST /artifacts/{org}/{flow}`. A named trail that does not exist yet is begun.
#[utoipa::path(
    post,
    path = "/artifacts/{org}/{flow}",
    tag = "artifacts",
    operation_id = "report_artifact",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    request_body = ArtifactReport,
    responses(
        (status = 201, description = "Recorded", body = Artifact),
        Refusals
    )
)]
pub async fn report(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
    JsonBody(data): JsonBody<ArtifactReport>,
) -> ApiResult<(StatusCode, Json<Artifact>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let fingerprint = Fingerprint::parse(&data.fingerprint).map_err(ApiError::bad)?;
    if data.filename.trim().is_empty() {
        return Err(ApiError::bad(
            "'filename' (the artifact's display name) must not be empty",
        ));
    }
    if let Some(name) = &data.template_reference_name {
        lookup::name(NameKind::TemplateArtifact, name)?;
    }
    let flow = lookup::flow(&state, &org, &flow).await?;
    let now = state.now();
    let trail_id = match &data.trail_name {
        Some(name) => {
            lookup::name(NameKind::Trail, name)?;
            let trail = match state.store.trail(flow.id, name).await? {
                Some(t) => t,
                None => {
                    let upsert = TrailUpsert {
                        name: name.clone(),
                        ..TrailUpsert::default()
                    };
                    state.store.upsert_trail(flow.id, &upsert, now).await?.0
                }
            };
            Some(trail.id)
        }
        None => None,
    };
    let git_commit = data
        .git_commit
        .clone()
        .or_else(|| data.git_commit_info.as_ref().map(|g| g.sha1.clone()))
        .filter(|c| !c.is_empty());
    if let Some(commit) = &git_commit {
        limits::commit(commit).map_err(ApiError::bad)?;
    }
    let insert = ArtifactInsert {
        flow_id: flow.id,
        trail_id,
        fingerprint,
        filename: data.filename.clone(),
        template_name: data.template_reference_name.clone(),
        git_commit,
        commit_url: Some(data.commit_url.clone()).filter(|u| !u.is_empty()),
        build_url: Some(data.build_url.clone()).filter(|u| !u.is_empty()),
        repo_url: data.repo_url.clone().filter(|u| !u.is_empty()),
        repo: super::repos::seen(data.repo_info.as_ref()),
        payload: json!({
            "git_commit_info": data.git_commit_info,
            "repo_info": data.repo_info,
            "annotations": data.annotations,
            "external_urls": data.external_urls,
            "user_data": data.user_data,
            "description": data.description,
        })
        .to_string(),
        created_at: now,
    };
    let id = state.store.insert_artifact(&insert).await?;
    let prefix = HexPrefix::from(&insert.fingerprint);
    let rows = state
        .store
        .artifacts_by_fingerprint(org.id, Some(flow.id), &prefix)
        .await?;
    let row: Vec<_> = rows.into_iter().filter(|r| r.id == id).collect();
    let doc = documents(&state, &org, &row).await?;
    Ok((
        StatusCode::CREATED,
        Json(doc.into_iter().next().expect("artifact just stored")),
    ))
}

#[derive(Debug, Deserialize)]
pub struct TrailQuery {
    pub trail: Option<String>,
}

/// `GET /artifacts/{org}/{flow}/fingerprint/{fp}`: the latest matching record.
#[utoipa::path(
    get,
    path = "/artifacts/{org}/{flow}/fingerprint/{fp}",
    tag = "artifacts",
    operation_id = "get_artifact_by_fingerprint",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("fp" = String, Path, description = "A fingerprint (SHA-256) or its prefix"),
        ("trail" = Option<String>, Query, description = "Only the record in this trail")
    ),
    responses(
        (status = 200, description = "The latest matching record", body = Artifact),
        Refusals
    )
)]
pub async fn by_fingerprint(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, fp)): Path<(String, String, String)>,
    Params(q): Params<TrailQuery>,
) -> ApiResult<Json<Artifact>> {
    let org = auth.scope(&org, Permission::Read)?;
    let flow_row = lookup::flow(&state, &org, &flow).await?;
    let latest = latest_record(&state, &org, (&flow_row, &flow), &fp, q.trail.as_deref()).await?;
    let doc = documents(&state, &org, &[latest]).await?;
    Ok(Json(
        doc.into_iter().next().expect("one document per record"),
    ))
}

/// The latest record of the flow (`named` as the caller named it) whose
/// fingerprint starts with `fp` (in `trail`, when given).
pub(super) async fn latest_record(
    state: &AppState,
    org: &OrgScope,
    (flow, named): (&FlowRow, &str),
    fp: &str,
    trail: Option<&str>,
) -> ApiResult<ArtifactRow> {
    let prefix = HexPrefix::parse(fp).map_err(ApiError::bad)?;
    let rows = state
        .store
        .artifacts_by_fingerprint(org.id, Some(flow.id), &prefix)
        .await?;
    rows.into_iter()
        .find(|r| trail.is_none() || r.trail_name.as_deref() == trail)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Artifact with fingerprint '{fp}' does not exist in flow '{named}' belonging to organization '{}'",
                org.name
            ))
        })
}

/// `GET /artifacts/{org}/{flow}/commit_sha/{sha}`: every record built from the commit.
#[utoipa::path(
    get,
    path = "/artifacts/{org}/{flow}/commit_sha/{sha}",
    tag = "artifacts",
    operation_id = "get_artifacts_by_commit",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("sha" = String, Path, description = "A git commit or its prefix"),
        ("trail" = Option<String>, Query, description = "Only records in this trail")
    ),
    responses(
        (status = 200, description = "Every record built from the commit", body = Vec<Artifact>),
        Refusals
    )
)]
pub async fn by_commit(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, sha)): Path<(String, String, String)>,
    Params(q): Params<TrailQuery>,
) -> ApiResult<Json<Vec<Artifact>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let prefix = HexPrefix::parse(&sha).map_err(ApiError::bad)?;
    let flow_row = lookup::flow(&state, &org, &flow).await?;
    let rows: Vec<_> = state
        .store
        .artifacts_by_commit(org.id, Some(flow_row.id), &prefix)
        .await?
        .into_iter()
        .filter(|r| q.trail.is_none() || r.trail_name == q.trail)
        .collect();
    if rows.is_empty() {
        return Err(ApiError::not_found(format!(
            "No artifacts with git commit '{sha}' exist in flow '{flow}' belonging to organization '{}'",
            org.name
        )));
    }
    Ok(Json(documents(&state, &org, &rows).await?))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "non_empty")]
    pub flow_name: Option<String>,
    #[serde(default, deserialize_with = "non_empty")]
    pub repo_name: Option<String>,
    #[serde(flatten)]
    pub paging: Paging,
}

/// `GET /artifacts/{org}?flow_name=|repo_name=`: newest first, 15 a page.
#[utoipa::path(
    get,
    path = "/artifacts/{org}",
    tag = "artifacts",
    operation_id = "list_artifacts",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow_name" = Option<String>, Query, description = "Only artifacts of this flow"),
        ("repo_name" = Option<String>, Query, description = "Only artifacts built from repos of this name (when no flow_name)"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Items per page")
    ),
    responses(
        (status = 200, description = "Artifacts, newest first", body = Vec<Artifact>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Vec<Artifact>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let page = q.paging.or_default(15)?;
    let scope = match (&q.flow_name, &q.repo_name) {
        (Some(name), _) => ArtifactScope::Flow(lookup::flow(&state, &org, name).await?.id),
        (None, Some(name)) => {
            let named = state
                .store
                .repos_named(org.id, std::slice::from_ref(name))
                .await?;
            if named.is_empty() {
                let missing = RepoChoiceError::NotFound(name.clone());
                return Err(ApiError::not_found(missing.to_string()));
            }
            ArtifactScope::Repos(named.iter().map(|r| r.id).collect())
        }
        (None, None) => ArtifactScope::Org,
    };
    let (rows, _) = state.store.artifacts(org.id, &scope, page).await?;
    Ok(Json(documents(&state, &org, &rows).await?))
}
