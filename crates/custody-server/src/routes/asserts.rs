//! `GET /asserts/{org}/fingerprint/{fp}`: is this artifact compliant in every
//! flow that knows it (optionally one flow)? The deployment gate.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{AssertFlow, AssertResult};
use custody_core::compliance::State as Compliance;
use custody_core::{Fingerprint, HexPrefix};
use serde::Deserialize;

use crate::auth::{Authed, Permission};
use crate::body::Params;
use crate::docs::compliance::evaluate_artifacts;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct AssertQuery {
    flow_name: Option<String>,
    environment_name: Option<String>,
    policy_name: Option<String>,
}

pub async fn artifact(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, fp)): Path<(String, String)>,
    Params(q): Params<AssertQuery>,
) -> ApiResult<Json<AssertResult>> {
    let org = auth.scope(&org, Permission::Read)?;
    let fp = Fingerprint::parse(&fp).map_err(ApiError::bad)?;
    if q.policy_name.is_some() {
        return Err(ApiError::bad(
            "environment policies are not available on this server yet: assert against the flow templates (no --policy)",
        ));
    }
    if let Some(env) = &q.environment_name {
        lookup::environment(&state, &org, env).await?;
    }
    let flow_id = match &q.flow_name {
        Some(name) => Some(lookup::flow(&state, &org, name).await?.id),
        None => None,
    };
    let prefix = HexPrefix::parse(fp.as_str()).map_err(ApiError::bad)?;
    let rows = state
        .store
        .artifacts_by_fingerprint(org.id, flow_id, &prefix)
        .await?;
    if rows.is_empty() {
        return Err(ApiError::not_found(format!(
            "Artifact with fingerprint '{fp}' does not exist in organization '{}'",
            org.name
        )));
    }
    let compliance = evaluate_artifacts(state.store.as_ref(), &rows).await?;
    let compliant = compliance.iter().all(|c| c.state == Compliance::Compliant);
    let flows = rows
        .iter()
        .zip(&compliance)
        .map(|(r, c)| AssertFlow {
            flow: r.flow_name.clone(),
            trail: r.trail_name.clone(),
            compliance_status: c.status_json(),
        })
        .collect();
    Ok(Json(AssertResult {
        compliant,
        scope: if q.environment_name.is_some() {
            "environment"
        } else {
            "flow"
        }
        .to_string(),
        environment: q.environment_name,
        policy_evaluations: Vec::new(),
        flows,
        html_url: None,
    }))
}
