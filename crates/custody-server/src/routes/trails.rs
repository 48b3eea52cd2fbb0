//! Trails: begin (idempotent), get, list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{Paged, Pagination, Trail, TrailBegin, TrailSummary};
use custody_core::compliance::State as Compliance;
use custody_core::ids::FlowId;
use custody_core::names::NameKind;
use custody_core::template::Template;
use custody_store::{FlowRow, TrailRow, TrailUpsert};
use serde::Deserialize;
use serde_json::json;

use super::api_doc::{Refusals, TemplateForm};
use crate::auth::{Authed, Permission};
use crate::body::{Form, Paging, Params};
use crate::docs::trail::{compliance_of, document, tags};
use crate::error::{ApiError, ApiResult};
use crate::lookup::{self, json_text};
use crate::state::AppState;

/// `PUT /trails/{org}/{flow}`: multipart `data_json` + optional `template_file`.
#[utoipa::path(
    put,
    path = "/trails/{org}/{flow}",
    tag = "trails",
    operation_id = "begin_trail",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    request_body(content = TemplateForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Begun", body = Trail),
        (status = 200, description = "Updated", body = Trail),
        Refusals
    )
)]
pub async fn begin(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
    form: Form,
) -> ApiResult<(StatusCode, Json<Trail>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let data: TrailBegin = form.json("data_json")?;
    lookup::name(NameKind::Trail, &data.name)?;
    let template = form.text("template_file")?;
    if let Some(t) = &template {
        Template::parse_yaml(t).map_err(ApiError::bad)?;
    }
    let flow = lookup::flow(&state, &org, &flow).await?;
    let upsert = TrailUpsert {
        name: data.name,
        description: data.description,
        template,
        git_commit_info: data.git_commit_info.map(|g| json!(g).to_string()),
        origin_url: data.origin_url,
        user_data: json_text(&data.user_data),
        external_urls: json_text(&data.external_urls),
        repo_info: json_text(&data.repo_info),
        repo: super::repos::seen(data.repo_info.as_ref()),
    };
    let (trail, created) = state
        .store
        .upsert_trail(flow.id, &upsert, state.now())
        .await?;
    let doc = document(&state, &org, &flow, &trail).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(doc),
    ))
}

#[utoipa::path(
    get,
    path = "/trails/{org}/{flow}/{trail}",
    tag = "trails",
    operation_id = "get_trail",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("trail" = String, Path, description = "The trail")
    ),
    responses(
        (status = 200, description = "The trail with its compliance", body = Trail),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow, trail)): Path<(String, String, String)>,
) -> ApiResult<Json<Trail>> {
    let org = auth.scope(&org, Permission::Read)?;
    let flow = lookup::flow(&state, &org, &flow).await?;
    let trail = lookup::trail(&state, &org, &flow, &trail).await?;
    Ok(Json(document(&state, &org, &flow, &trail).await?))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub flow: Option<String>,
    pub fingerprint: Option<String>,
    /// `key=value`: only trails of flows with this tag.
    pub flow_tag: Option<String>,
    #[serde(flatten)]
    pub paging: Paging,
}

/// The flows a trail list is narrowed to: the one named, and of those (or of
/// the org's) the ones tagged `key=value`; `None` for the whole org.
async fn flows_of(
    state: &AppState,
    org: &crate::auth::OrgScope,
    flow: Option<&str>,
    flow_tag: Option<&str>,
) -> ApiResult<Option<Vec<FlowId>>> {
    let tag = flow_tag
        .map(|t| {
            t.split_once('=').ok_or_else(|| {
                ApiError::invalid("flow_tag", format!("'{t}' is not in the format key=value"))
            })
        })
        .transpose()?;
    let flows = match flow {
        Some(name) => vec![lookup::flow(state, org, name).await?],
        None if tag.is_some() => state.store.flows(org.id, None, false, None).await?.0,
        None => return Ok(None),
    };
    let tagged =
        |f: &FlowRow| tag.is_none_or(|(key, value)| tags(f).get(key).is_some_and(|v| v == value));
    Ok(Some(
        flows.iter().filter(|f| tagged(f)).map(|f| f.id).collect(),
    ))
}

/// A trail in lists: `{name, description, compliance_state, flow, created_at, …}`.
fn summary(trail: &TrailRow, compliance: Compliance) -> TrailSummary {
    TrailSummary {
        name: trail.name.clone(),
        description: trail.description.clone(),
        compliance_state: compliance.as_str().to_string(),
        flow: trail.flow_name.clone(),
        created_at: trail.created_at.seconds(),
        last_modified_at: trail.last_modified_at.seconds(),
        git_commit_info: trail.git_commit_info.as_deref().map(custody_store::json),
    }
}

async fn list_in(
    state: &AppState,
    org: &crate::auth::OrgScope,
    flow: Option<String>,
    q: ListQuery,
) -> ApiResult<Json<Paged<TrailSummary>>> {
    let page = q.paging.or_default(20)?;
    let flows = flows_of(state, org, flow.as_deref(), q.flow_tag.as_deref()).await?;
    let (rows, total) = state
        .store
        .trails(org.id, flows.as_deref(), q.fingerprint.as_deref(), page)
        .await?;
    let compliance = compliance_of(state, &rows).await?;
    let data = rows
        .iter()
        .zip(compliance)
        .map(|(t, c)| summary(t, c))
        .collect();
    Ok(Json(Paged {
        data,
        pagination: Pagination::new(page.page, page.per_page, total),
    }))
}

/// `GET /trails/{org}?flow=&fingerprint=&flow_tag=`: trails of the org, newest first.
#[utoipa::path(
    get,
    path = "/trails/{org}",
    tag = "trails",
    operation_id = "list_org_trails",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = Option<String>, Query, description = "Only trails of this flow"),
        ("fingerprint" = Option<String>, Query, description = "Only trails holding this artifact"),
        ("flow_tag" = Option<String>, Query, description = "Only trails of flows with this tag: key=value"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Items per page")
    ),
    responses(
        (status = 200, description = "Trails, newest first", body = Paged<TrailSummary>),
        Refusals
    )
)]
pub async fn list_org(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Paged<TrailSummary>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let flow = q.flow.clone();
    list_in(&state, &org, flow, q).await
}

/// `GET /trails/{org}/{flow}`.
#[utoipa::path(
    get,
    path = "/trails/{org}/{flow}",
    tag = "trails",
    operation_id = "list_trails",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow"),
        ("fingerprint" = Option<String>, Query, description = "Only trails holding this artifact"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Items per page")
    ),
    responses(
        (status = 200, description = "Trails, newest first", body = Paged<TrailSummary>),
        Refusals
    )
)]
pub async fn list_flow(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Paged<TrailSummary>>> {
    let org = auth.scope(&org, Permission::Read)?;
    list_in(&state, &org, Some(flow), q).await
}
