//! Runtime reports: `PUT /environments/{org}/{env}/report/{TYPE}`.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{EnvironmentReport, ReportReply};
use custody_core::EnvironmentType;
use custody_core::report::normalise;
use custody_store::ReportOutcome;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

#[utoipa::path(
    put,
    path = "/environments/{org}/{env}/report/{kind}",
    tag = "environments",
    operation_id = "report_environment",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment"),
        ("kind" = String, Path, description = "The environment type: K8S, ECS, S3, lambda, server, docker, azure-apps or cloud-run")
    ),
    request_body = EnvironmentReport,
    responses(
        (status = 200, description = "The snapshot now current, and whether the report made it", body = ReportReply),
        Refusals
    )
)]
pub async fn report(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env, kind)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<EnvironmentReport>,
) -> ApiResult<Json<ReportReply>> {
    let org = auth.scope(&org, Permission::Report)?;
    let kind = EnvironmentType::parse_physical(&kind)?;
    let env = lookup::environment(&state, &org, &env).await?;
    env.kind.check_report(&env.name, env.archived != 0, kind)?;
    let running = normalise(&body.artifacts).map_err(ApiError::bad)?;
    let outcome = state
        .store
        .record_report(env.id, kind, state.now(), running)
        .await?;
    let (index, created) = match outcome {
        ReportOutcome::Created(i) => (i, true),
        ReportOutcome::Unchanged(i) => (i, false),
    };
    state.metrics.report(kind.as_str(), created);
    Ok(Json(ReportReply {
        snapshot_index: index,
        new_snapshot: created,
    }))
}
