//! Legacy deployments (`expect deployment`): numbered per flow, they appear in
//! artifact histories as `Deployment #N to <env> environment`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use custody_api::{Deployment, DeploymentCreate};
use custody_core::Fingerprint;
use custody_store::DeploymentInsert;
use serde_json::json;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// `POST /deployments/{org}/{flow}`.
#[utoipa::path(
    post,
    path = "/deployments/{org}/{flow}",
    tag = "artifacts",
    operation_id = "report_deployment",
    params(
        ("org" = String, Path, description = "The organization"),
        ("flow" = String, Path, description = "The flow")
    ),
    request_body = DeploymentCreate,
    responses(
        (status = 201, description = "Recorded", body = Deployment),
        Refusals
    )
)]
pub async fn expect(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, flow)): Path<(String, String)>,
    JsonBody(data): JsonBody<DeploymentCreate>,
) -> ApiResult<(StatusCode, Json<Deployment>)> {
    let org = auth.scope(&org, Permission::Write)?;
    let fp = Fingerprint::parse(&data.artifact_fingerprint).map_err(ApiError::bad)?;
    let flow = lookup::flow(&state, &org, &flow).await?;
    lookup::environment(&state, &org, &data.environment).await?;
    let artifact = lookup::artifact(&state, &org, &flow, &fp).await?;
    let now = state.now();
    let insert = DeploymentInsert {
        flow_id: flow.id,
        artifact_id: artifact.id,
        environment: data.environment.clone(),
        description: data.description.clone(),
        build_url: data.build_url.clone(),
        user_data: json!(data.user_data).to_string(),
        created_at: now,
    };
    let number = state.store.insert_deployment(&insert).await?;
    Ok((
        StatusCode::CREATED,
        Json(Deployment {
            deployment_id: number,
            artifact_fingerprint: artifact.fingerprint.into(),
            artifact_name: artifact.filename,
            environment: data.environment,
            description: data.description,
            build_url: data.build_url,
            created_at: now.seconds(),
        }),
    ))
}
