//! Environments and runtime reports.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Body of `PUT /environments/{org}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnvironmentCreate {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_scaling: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_provenance: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_environments: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
}

/// An environment document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Environment {
    pub org: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub created_at: f64,
    pub last_modified_at: f64,
    pub last_reported_at: Option<f64>,
    pub last_changed_at: Option<f64>,
    pub state: Option<bool>,
    pub include_scaling: bool,
    pub tags: BTreeMap<String, String>,
    pub policies: Vec<String>,
}

/// Paged environment list `{page, per_page, total_pages, total_count, environments}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentPage {
    pub page: u32,
    pub per_page: u32,
    pub total_pages: u32,
    pub total_count: u64,
    pub environments: Vec<Environment>,
}

impl From<EnvironmentPage> for Vec<Environment> {
    fn from(page: EnvironmentPage) -> Self {
        page.environments
    }
}

/// Body of `PUT /environments/{org}/{env}/report/{type}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentReport {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub artifacts: Vec<Value>,
}

/// Reply to a report: the snapshot now current, and whether the report made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportReply {
    pub snapshot_index: i64,
    pub new_snapshot: bool,
}

/// An environment event (`log environment`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentEvent {
    pub environment_name: String,
    pub snapshot_index: i64,
    pub artifact_name: String,
    pub sha256: String,
    pub description: String,
    pub reported_at: f64,
    /// The flow the artifact came from, empty when no flow knows it.
    pub pipeline: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// Body of `PUT /environments/{org}/{env}/rename` and `PUT /flows/{org}/{flow}/rename`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rename {
    pub new_name: String,
}

/// Body of `PUT /environments/{org}/{logical}/join`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentJoin {
    pub physical_env_name: String,
}

/// Body of `POST|DELETE /environments/{org}/{env}/policies`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyNames {
    pub policy_names: Vec<String>,
}

/// Body of `PUT /allowlists/{org}/{env}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllowEntry {
    pub artifact_fingerprint: String,
    pub artifact_name: String,
    pub description: String,
}
