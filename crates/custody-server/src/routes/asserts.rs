//! `GET /asserts/{org}/fingerprint/{fp}`: the deployment gate. With
//! `policy_name` (repeatable) the artifact is judged by those policies; with
//! `environment_name` by the environment's attached policies (allow-listed
//! fingerprints pass); otherwise, or when the environment has no policies, by
//! the flow templates of every flow holding it (optionally one flow).

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{AssertFlow, AssertResult};
use custody_core::Fingerprint;

use super::api_doc::Refusals;
use super::policies::find;
use crate::auth::{Authed, Permission};
use crate::body::Pairs;
use crate::docs::gate::Gate;
use crate::docs::policy::{self, Applied};
use crate::docs::provenance::{Provenance, provenance};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/asserts/{org}/fingerprint/{fp}",
    tag = "artifacts",
    operation_id = "assert_artifact",
    params(
        ("org" = String, Path, description = "The organization"),
        ("fp" = String, Path, description = "A fingerprint (SHA-256) or its prefix"),
        ("environment_name" = Option<String>, Query, description = "Judge by this environment's policies"),
        ("policy_name" = Option<String>, Query, description = "Judge by this policy (repeatable)"),
        ("flow_name" = Option<String>, Query, description = "Only records of this flow")
    ),
    responses(
        (status = 200, description = "The verdict", body = AssertResult),
        Refusals
    )
)]
pub async fn artifact(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, fp)): Path<(String, String)>,
    query: Pairs,
) -> ApiResult<Json<AssertResult>> {
    let org = auth.scope(&org, Permission::Read)?;
    let fp = Fingerprint::parse(&fp).map_err(ApiError::bad)?;
    let environment_name = query.last("environment_name");
    let flow_name = query.last("flow_name");
    let mut policies = Vec::new();
    for name in &query.all("policy_name") {
        policies.push(find(&state, &org, name).await?);
    }
    let flow_id = match &flow_name {
        Some(name) => Some(lookup::flow(&state, &org, name).await?.id),
        None => None,
    };
    let mut known = provenance(&state, org.id, vec![fp.clone()]).await?;
    for p in known.values_mut() {
        p.records
            .retain(|(r, _)| flow_id.is_none_or(|id| r.flow_id == id));
    }
    let prov = known.get(&fp).filter(|p| !p.records.is_empty());
    let name = prov
        .and_then(Provenance::primary)
        .map_or(String::new(), |r| r.filename.clone());
    let unknown = || {
        let place = flow_name
            .as_ref()
            .map_or(String::new(), |f| format!("flow '{f}' belonging to "));
        ApiError::not_found(format!(
            "Artifact with fingerprint '{fp}' does not exist in {place}organization '{}'",
            org.name
        ))
    };
    let (scope, compliant, decisions) = match &environment_name {
        _ if !policies.is_empty() => {
            let applied: Vec<Applied> = policy::load(&state, &policies).await?;
            let flow_rows = policy::flows_of(&state, prov.into_iter()).await?;
            let subject = policy::subject(&name, &fp, prov, &flow_rows);
            let (decisions, ok) = policy::decisions(&applied.iter().collect::<Vec<_>>(), &subject);
            ("policy", ok, decisions)
        }
        Some(env_name) => {
            let env = lookup::environment(&state, &org, env_name).await?;
            let latest = env.latest_index.max(1);
            let gate = Gate::during(&state, org.id, env.id, (latest, latest), &known).await?;
            if prov.is_none() && gate.applied(latest).is_empty() {
                return Err(unknown());
            }
            let (decisions, ok) = gate.judge(latest, (&name, &fp), prov);
            ("environment", ok, decisions)
        }
        None => ("flow", prov.ok_or_else(unknown)?.compliant(), Vec::new()),
    };
    let flows = prov
        .map(|p| p.records.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|(r, c)| AssertFlow {
            flow: r.flow_name.clone(),
            trail: r.trail_name.clone(),
            compliance_status: c.status(),
        })
        .collect();
    Ok(Json(AssertResult {
        compliant,
        scope: scope.to_string(),
        environment: environment_name,
        policy_evaluations: decisions,
        flows,
        html_url: prov
            .and_then(Provenance::primary)
            .map(|r| state.artifact_url(&org.name, &r.flow_name, fp.as_str()))
            .unwrap_or_default(),
    }))
}
