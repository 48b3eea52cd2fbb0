//! Flows: create (with a template file or the legacy list), get, list, archive.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{Flow, FlowCreate, LegacyFlowCreate, ListOrPage, Paged, Pagination, Rename};
use custody_core::Timestamp;
use custody_core::names::NameKind;
use custody_core::template::Template;
use custody_store::{FlowRow, FlowUpsert};
use serde::Deserialize;

use super::api_doc::{Refusals, TemplateForm};
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::{Form, JsonBody, Paging, Params};
use crate::docs::trail::tags;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

fn document(org: &OrgScope, row: FlowRow, last_deployment_at: Option<f64>) -> Flow {
    Flow {
        tags: tags(&row),
        name: row.name,
        description: row.description,
        visibility: row.visibility,
        org: org.name.clone(),
        template: row.template,
        created_at: row.created_at.seconds(),
        last_deployment_at,
        archived: row.archived_at.is_some(),
    }
}

fn visibility(v: Option<String>) -> ApiResult<String> {
    match v.as_deref() {
        None => Ok("private".into()),
        Some("public" | "private") => Ok(v.unwrap_or_default()),
        Some(other) => Err(ApiError::bad(format!(
            "visibility '{other}' is not valid: use public or private"
        ))),
    }
}

async fn upsert(
    state: &AppState,
    org: &OrgScope,
    flow: FlowUpsert,
) -> ApiResult<(StatusCode, Json<Flow>)> {
    lookup::name(NameKind::Flow, &flow.name)?;
    let (row, created) = state.store.upsert_flow(org.id, &flow, state.now()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(document(org, row, None))))
}

/// `PUT /flows/{org}/template_file`: multipart `data_json` + optional `template_file`.
#[utoipa::path(
    put,
    path = "/flows/{org}/template_file",
    tag = "flows",
    operation_id = "put_flow",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    request_body(content = TemplateForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Created", body = Flow),
        (status = 200, description = "Updated", body = Flow),
        Refusals
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    form: Form,
) -> ApiResult<(StatusCode, Json<Flow>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let data: FlowCreate = form.json("data_json")?;
    let template = form
        .text("template_file")?
        .unwrap_or_else(|| "version: 1\n".to_string());
    Template::parse_yaml(&template).map_err(ApiError::bad)?;
    let flow = FlowUpsert {
        name: data.name,
        description: data.description,
        visibility: visibility(data.visibility)?,
        template: Some(template),
    };
    upsert(&state, &org, flow).await
}

/// `PUT /flows/{org}`: the legacy form with a template list such as `artifact,branch-coverage`.
#[utoipa::path(
    put,
    path = "/flows/{org}",
    tag = "flows",
    operation_id = "put_legacy_flow",
    params(
        ("org" = String, Path, description = "The organization")
    ),
    request_body = LegacyFlowCreate,
    responses(
        (status = 201, description = "Created", body = Flow),
        (status = 200, description = "Updated", body = Flow),
        Refusals
    )
)]
pub async fn create_legacy(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(data): JsonBody<LegacyFlowCreate>,
) -> ApiResult<(StatusCode, Json<Flow>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let mut items: Vec<String> = data.template.iter().map(|s| s.trim().to_string()).collect();
    if !items.iter().any(|i| i == "artifact") {
        items.push("artifact".into());
    }
    Template::parse_legacy(&items).map_err(ApiError::bad)?;
    let flow = FlowUpsert {
        name: data.name,
        description: data.description,
        visibility: visibility(data.visibility)?,
        template: Some(items.join(" ")),
    };
    upsert(&state, &org, flow).await
}

#[utoipa::path(
    get,
    path = "/flows/{org}/{flow}",
    tag = "flows",
    operation_id = "get_flow",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    responses(
        (status = 200, description = "The flow", body = Flow),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
) -> ApiResult<Json<Flow>> {
    let org = auth.scope(&org, Permission::Read)?;
    let row = lookup::flow(&state, &org, &flow).await?;
    let last = state.store.last_deployment_at(row.id).await?;
    Ok(Json(document(&org, row, last.map(Timestamp::seconds))))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub search_by_name: Option<String>,
    #[serde(default, deserialize_with = "crate::body::flag")]
    pub case_sensitive: Option<bool>,
    #[serde(flatten)]
    pub paging: Paging,
}

/// A plain array unless paging parameters are sent, then `{data, pagination}`.
#[utoipa::path(
    get,
    path = "/flows/{org}",
    tag = "flows",
    operation_id = "list_flows",
    params(
        ("org" = String, Path, description = "The organization"),
        ("search_by_name" = Option<String>, Query, description = "Only flows whose name contains this"),
        ("case_sensitive" = Option<bool>, Query, description = "Match the name case-sensitively"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Items per page")
    ),
    responses(
        (status = 200, description = "The flows by name: a list, or `{data, pagination}` when paging is asked for", body = Value),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<ListOrPage<Flow, Paged<Flow>>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let page = q.paging.requested(20)?;
    let (rows, total) = state
        .store
        .flows(
            org.id,
            q.search_by_name.as_deref(),
            q.case_sensitive.unwrap_or(true),
            page,
        )
        .await?;
    let flows: Vec<Flow> = rows.into_iter().map(|r| document(&org, r, None)).collect();
    Ok(Json(match page {
        None => ListOrPage::List(flows),
        Some(p) => ListOrPage::Page(Paged {
            data: flows,
            pagination: Pagination::new(p.page, p.per_page, total),
        }),
    }))
}

#[utoipa::path(
    put,
    path = "/flows/{org}/{flow}/archive",
    tag = "flows",
    operation_id = "archive_flow",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    responses(
        (status = 200, description = "Archived", body = Flow),
        Refusals
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
) -> ApiResult<Json<Flow>> {
    let org = auth.scope(&org, Permission::Write)?;
    let row = lookup::flow(&state, &org, &flow).await?;
    state.store.archive_flow(row.id, state.now()).await?;
    let row = lookup::flow(&state, &org, &flow).await?;
    Ok(Json(document(&org, row, None)))
}

/// `PUT /flows/{org}/{flow}/rename` with `{"new_name"}`: the old name keeps
/// resolving to the flow until another flow takes it.
#[utoipa::path(
    put,
    path = "/flows/{org}/{flow}/rename",
    tag = "flows",
    operation_id = "rename_flow",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    request_body = Rename,
    responses(
        (status = 200, description = "Renamed", body = Flow),
        Refusals
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
    JsonBody(body): JsonBody<Rename>,
) -> ApiResult<Json<Flow>> {
    let org = auth.scope(&org, Permission::Write)?;
    lookup::field_name(NameKind::Flow, "new_name", &body.new_name)?;
    let row = lookup::flow(&state, &org, &flow).await?;
    let now = state.now();
    state.store.rename_flow(&row, &body.new_name, now).await?;
    let row = lookup::flow(&state, &org, &body.new_name).await?;
    Ok(Json(document(&org, row, None)))
}
