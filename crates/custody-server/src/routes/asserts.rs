//! `GET /asserts/{org}/fingerprint/{fp}`: the deployment gate. With
//! `policy_name` (repeatable) the artifact is judged by those policies; with
//! `environment_name` by the environment's attached policies (allow-listed
//! fingerprints pass); otherwise, or when the environment has no policies, by
//! the flow templates of every flow holding it (optionally one flow).

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{AssertFlow, AssertResult};
use custody_core::Fingerprint;
use custody_core::compliance::State as Compliance;
use serde_json::json;

use super::api_doc::Refusals;
use super::policies::find;
use crate::auth::{Authed, Permission};
use crate::body::Params;
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
    Params(query): Params<Vec<(String, String)>>,
) -> ApiResult<Json<AssertResult>> {
    let org = auth.scope(&org, Permission::Read)?;
    let fp = Fingerprint::parse(&fp).map_err(ApiError::bad)?;
    let param = |key: &'static str| -> Vec<String> {
        query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let environment_name = param("environment_name").pop();
    let policy_names = param("policy_name");
    let flow_name = param("flow_name").pop();
    let mut policies = Vec::new();
    for name in &policy_names {
        policies.push(find(&state, &org, name).await?);
    }
    let mut allowed = false;
    let mut scope = if policies.is_empty() {
        "flow"
    } else {
        "policy"
    };
    if let Some(env_name) = environment_name.as_ref().filter(|_| policies.is_empty()) {
        let env = lookup::environment(&state, &org, env_name).await?;
        scope = "environment";
        let ids = state
            .store
            .policies_at(env.id, env.latest_index.max(1))
            .await?;
        if !ids.is_empty() {
            policies = state.store.policies(org.id).await?;
            policies.retain(|p| ids.contains(&p.id));
            let list = state.store.allowlist(env.id).await?;
            allowed = list.iter().any(|a| a.fingerprint == fp.as_str());
        }
    }
    let flow_id = match &flow_name {
        Some(name) => Some(lookup::flow(&state, &org, name).await?.id),
        None => None,
    };
    let mut known = provenance(&state, org.id, vec![fp.as_str().to_string()]).await?;
    let mut prov: Provenance = known.remove(fp.as_str()).unwrap_or(Provenance {
        records: Vec::new(),
    });
    prov.records
        .retain(|(r, _)| flow_id.is_none_or(|id| r.flow_id == id));
    if prov.records.is_empty() && policies.is_empty() {
        return Err(ApiError::not_found(format!(
            "Artifact with fingerprint '{fp}' does not exist in organization '{}'",
            org.name
        )));
    }
    let flows = prov
        .records
        .iter()
        .map(|(r, c)| AssertFlow {
            flow: r.flow_name.clone(),
            trail: r.trail_name.clone(),
            compliance_status: c.status(),
        })
        .collect();
    let (compliant, policy_evaluations) = if policies.is_empty() {
        let ok = prov
            .records
            .iter()
            .all(|(_, c)| c.state == Compliance::Compliant);
        (ok, Vec::new())
    } else {
        let applied: Vec<Applied> = policy::load(&state, &policies).await?;
        let name = prov
            .primary()
            .map_or("", |r| r.filename.as_str())
            .to_string();
        let flow_rows = policy::flows_of(&state, std::iter::once(&prov)).await?;
        let subject = policy::subject(&name, fp.as_str(), Some(&prov), &flow_rows);
        let (decisions, ok) = policy::decisions(&applied.iter().collect::<Vec<_>>(), &subject);
        (ok || allowed, decisions.iter().map(|d| json!(d)).collect())
    };
    Ok(Json(AssertResult {
        compliant,
        scope: scope.to_string(),
        environment: environment_name,
        policy_evaluations,
        flows,
        html_url: prov
            .primary()
            .map(|r| state.artifact_url(&org.name, &r.flow_name, fp.as_str()))
            .unwrap_or_default(),
    }))
}
