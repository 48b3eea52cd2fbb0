//! Flows and trails.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{GitCommitInfo, TrailStatus};

/// `data_json` of `PUT /flows/{org}/template_file`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlowCreate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
}

/// Body of the legacy `PUT /flows/{org}`: a template as a list of names.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LegacyFlowCreate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default)]
    pub template: Vec<String>,
}

/// A flow document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flow {
    pub name: String,
    pub description: String,
    pub visibility: String,
    pub org: String,
    pub template: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub created_at: f64,
    pub last_deployment_at: Option<f64>,
    pub archived: bool,
}

/// Body of `PATCH /tags/{org}/{type}/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TagChange {
    #[serde(default)]
    pub set_tags: BTreeMap<String, String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

/// `data_json` of `PUT /trails/{org}/{flow}` (begin trail).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrailBegin {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit_info: Option<GitCommitInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_info: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_urls: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_url: Option<String>,
}

/// A trail event, e.g. `trail_reported` or `artifact_creation_reported`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub timestamp: f64,
    #[serde(default)]
    pub attestation_type: Option<String>,
    #[serde(default)]
    pub template_reference_name: Option<String>,
    #[serde(default)]
    pub target_artifact: Option<String>,
    #[serde(default)]
    pub artifact_name: Option<String>,
    #[serde(default)]
    pub artifact_fingerprint: Option<String>,
    #[serde(default)]
    pub is_compliant: Option<bool>,
    #[serde(default)]
    pub git_commit_info: Option<GitCommitInfo>,
    /// The attestation an attestation event reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation_id: Option<String>,
}

/// The flow a trail belongs to, as embedded in trail documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowRef {
    pub name: String,
    pub tags: BTreeMap<String, String>,
}

/// A trail document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trail {
    pub name: String,
    pub description: String,
    pub flow: FlowRef,
    pub git_commit_info: Option<GitCommitInfo>,
    pub origin_url: Option<String>,
    pub user_data: Value,
    pub external_urls: Value,
    pub repo_info: Option<Value>,
    pub created_at: f64,
    pub last_modified_at: f64,
    /// The template in force (the trail's own, else its flow's).
    pub template: Option<TrailTemplate>,
    pub compliance_state: String,
    pub is_compliant: bool,
    pub compliance_status: TrailStatus,
    pub events: Vec<TrailEvent>,
    /// The trail's page in the web UI.
    #[serde(default)]
    pub html_url: String,
}

/// A trail's template as Kosli sends it: what it expects, and the text it was
/// read from. Legacy comma-list templates expect attestations of every artifact,
/// which this shape cannot name: they are in `content` only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailTemplate {
    pub version: i64,
    pub trail: TemplateTrail,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateTrail {
    #[serde(default)]
    pub attestations: Vec<TemplateAttestation>,
    #[serde(default)]
    pub artifacts: Vec<TemplateArtifact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateAttestation {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateArtifact {
    pub name: String,
    #[serde(default)]
    pub attestations: Vec<TemplateAttestation>,
}

/// A trail in lists (`GET /trails/{org}[/{flow}]`), newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailSummary {
    pub name: String,
    pub description: String,
    /// `COMPLIANT`, `NON-COMPLIANT`, `INCOMPLETE`…
    pub compliance_state: String,
    pub flow: String,
    pub created_at: f64,
    pub last_modified_at: f64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub git_commit_info: Option<Value>,
}
