//! `POST /policy-evaluations/{org}`: would these snapshots have passed this
//! policy? One snapshot (an expression such as `prod@{2022-08-23T12:00:00}`)
//! or an environment's interval, judged by a stored policy at any of its
//! versions or by a proposed policy file, beside the recorded verdicts.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{Evaluation, EvaluationRequest};
use custody_core::expr::{Snappish, parse_interval};
use custody_core::ids::PolicyId;
use custody_core::policy::Policy;

use super::api_doc::Refusals;
use super::policies::find;
use crate::auth::{Authed, OrgScope, Permission};
use crate::body::JsonBody;
use crate::docs::policy::{Applied, load_versions};
use crate::docs::{snapshot, time_travel};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// The policy a request names, and whether it is a stored one.
async fn policy_of(
    state: &AppState,
    org: &OrgScope,
    req: &EvaluationRequest,
) -> ApiResult<(Applied, bool)> {
    match (&req.policy_yaml, &req.policy_name) {
        (Some(yaml), None) => {
            let policy = Policy::parse(yaml)
                .map_err(|e| ApiError::bad(format!("the proposed policy is not valid: {e}")))?;
            let applied = Applied {
                id: PolicyId(0),
                name: "proposed".to_string(),
                version: 0,
                since: 0.0,
                policy,
            };
            Ok((applied, false))
        }
        (None, Some(name)) => {
            let row = find(state, org, name).await?;
            let versions = load_versions(state, std::slice::from_ref(&row)).await?;
            let chosen = match req.policy_version {
                Some(v) => versions
                    .into_iter()
                    .find(|a| a.version == v)
                    .ok_or_else(|| {
                        ApiError::not_found(format!("policy '{name}' has no version {v}"))
                    })?,
                None => versions
                    .into_iter()
                    .max_by_key(|a| a.version)
                    .ok_or_else(|| ApiError::bad(format!("policy '{name}' has no version")))?,
            };
            Ok((chosen, true))
        }
        _ => Err(ApiError::bad(
            "name one policy: 'policy_name' (with an optional 'policy_version') or 'policy_yaml'",
        )),
    }
}

#[utoipa::path(
    post,
    path = "/policy-evaluations/{org}",
    tag = "policies",
    operation_id = "evaluate_snapshots",
    params(("org" = String, Path, description = "The organization")),
    request_body = EvaluationRequest,
    responses(
        (status = 200, description = "Each snapshot's verdict by the policy beside the recorded one, where it would have changed, and the last snapshot's decisions", body = Evaluation),
        Refusals
    )
)]
pub async fn evaluate(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    JsonBody(req): JsonBody<EvaluationRequest>,
) -> ApiResult<Json<Evaluation>> {
    let org = auth.scope(&org, Permission::Read)?;
    let (env, range) = match (&req.snapshot, &req.environment, &req.interval) {
        (Some(expr), None, None) => {
            let snappish = Snappish::parse(expr).map_err(ApiError::bad)?;
            let (env, index) = snapshot::resolve(&state, &org, &snappish.env, &snappish.at).await?;
            (env, (index, index))
        }
        (None, Some(name), Some(interval)) => {
            let env = lookup::environment(&state, &org, name).await?;
            let range = parse_interval(interval, env.latest_index).map_err(ApiError::bad)?;
            (env, range)
        }
        _ => {
            return Err(ApiError::bad(
                "say which snapshots: 'snapshot' (such as prod#65), or 'environment' with 'interval' (such as 1..20)",
            ));
        }
    };
    if env.kind.is_logical() {
        return Err(ApiError::bad(format!(
            "'{}' is a logical environment: evaluate one of its members",
            env.name
        )));
    }
    if env.latest_index == 0 || range.0 < 1 || range.1 > env.latest_index || range.0 > range.1 {
        return Err(ApiError::not_found(format!(
            "environment '{}' has no snapshots {}..{} (it has {})",
            env.name, range.0, range.1, env.latest_index
        )));
    }
    let (applied, stored) = policy_of(&state, &org, &req).await?;
    Ok(Json(
        time_travel::evaluate(&state, &org, &env, range, applied, stored).await?,
    ))
}
