//! Finding the named things a request is about, with Kosli's "does not exist"
//! messages when they are missing.

use custody_core::ids::EnvironmentId;
use custody_core::names::{Name, NameKind};
use custody_core::{Fingerprint, HexPrefix};
use custody_store::{ArtifactRow, EnvironmentRow, FlowRow, TrailRow};

use crate::auth::OrgScope;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Validates a name from a path or payload.
pub fn name(kind: NameKind, value: &str) -> ApiResult<Name> {
    Name::parse(kind, value).map_err(ApiError::bad)
}

/// A name given in a payload field: a bad one is reported against that field.
pub fn field_name(kind: NameKind, field: &'static str, value: &str) -> ApiResult<Name> {
    Name::parse(kind, value).map_err(|e| ApiError::invalid(field, e))
}

pub async fn flow(state: &AppState, org: &OrgScope, name: &str) -> ApiResult<FlowRow> {
    state.store.flow(org.id, name).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Flow named '{name}' does not exist for organization '{}'",
            org.name
        ))
    })
}

pub async fn trail(
    state: &AppState,
    org: &OrgScope,
    flow: &FlowRow,
    name: &str,
) -> ApiResult<TrailRow> {
    state.store.trail(flow.id, name).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Trail with name '{name}' does not exist for Organization '{}' and Flow '{}'",
            org.name, flow.name
        ))
    })
}

/// The latest artifact of the flow with the fingerprint, if any.
pub async fn latest_artifact(
    state: &AppState,
    org: &OrgScope,
    flow: &FlowRow,
    fp: &Fingerprint,
) -> ApiResult<Option<ArtifactRow>> {
    Ok(state
        .store
        .artifacts_by_fingerprint(org.id, Some(flow.id), &HexPrefix::from(fp))
        .await?
        .into_iter()
        .next())
}

/// The latest artifact of the flow with the fingerprint, which must exist.
pub async fn artifact(
    state: &AppState,
    org: &OrgScope,
    flow: &FlowRow,
    fp: &Fingerprint,
) -> ApiResult<ArtifactRow> {
    latest_artifact(state, org, flow, fp).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Artifact with fingerprint '{fp}' does not exist in flow '{}' belonging to organization '{}'",
            flow.name, org.name
        ))
    })
}

pub async fn environment(
    state: &AppState,
    org: &OrgScope,
    name: &str,
) -> ApiResult<EnvironmentRow> {
    state.store.environment(org.id, name).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Environment named '{name}' does not exist for organization '{}'",
            org.name
        ))
    })
}

/// The ids of existing environments that can be members of a logical one.
pub async fn physical_environments(
    state: &AppState,
    org: &OrgScope,
    names: &[String],
) -> ApiResult<Vec<EnvironmentId>> {
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        let row = environment(state, org, name).await?;
        row.kind.check_member(name)?;
        ids.push(row.id);
    }
    Ok(ids)
}

/// The stored text of an optional JSON value (`None` stays `None`).
pub fn json_text(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(|v| v.to_string())
}
