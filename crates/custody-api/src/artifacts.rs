//! Artifacts, attestations, legacy deployments, search and asserts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ArtifactStatus, GitCommitInfo, SummaryValue};

/// Body of `POST /artifacts/{org}/{flow}` (attest artifact).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtifactReport {
    pub fingerprint: String,
    pub filename: String,
    #[serde(default)]
    pub git_commit: Option<String>,
    #[serde(default)]
    pub git_commit_info: Option<GitCommitInfo>,
    #[serde(default)]
    pub repo_info: Option<Value>,
    #[serde(default)]
    pub build_url: String,
    #[serde(default)]
    pub commit_url: String,
    #[serde(default)]
    pub repo_url: Option<String>,
    #[serde(default)]
    pub template_reference_name: Option<String>,
    #[serde(default)]
    pub trail_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_urls: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<Value>,
}

/// `{environment_name, snapshot_index}` in `running` / `exited`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvIndex {
    pub environment_name: String,
    pub snapshot_index: i64,
}

/// A line of artifact history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryLine {
    pub event: String,
    pub timestamp: f64,
}

/// An artifact document (`get artifact`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Artifact {
    pub filename: String,
    pub flow_name: String,
    pub trail_name: Option<String>,
    pub template_reference_name: Option<String>,
    pub fingerprint: String,
    pub created_at: f64,
    pub git_commit: Option<String>,
    pub commit_url: Option<String>,
    pub build_url: Option<String>,
    pub repo_url: Option<String>,
    pub html_url: Option<String>,
    pub state: String,
    pub compliance_status: ArtifactStatus,
    pub annotations: BTreeMap<String, String>,
    pub running: Vec<EnvIndex>,
    pub exited: Vec<EnvIndex>,
    pub history: Vec<HistoryLine>,
}

/// The common `data_json` of every attestation type; `is_compliant` is generic's.
/// Fields are in the order Kosli's CLI sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationPayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit_info: Option<GitCommitInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_info: Option<Value>,
    pub attestation_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_artifacts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_urls: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_url: Option<String>,
    #[serde(default)]
    pub user_data: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_compliant: Option<bool>,
    /// A custom type's summary, evaluated by the server (never the caller's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<SummaryValue>,
}

/// A stored attestation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attestation {
    pub attestation_id: String,
    pub attestation_name: String,
    pub attestation_type: String,
    pub is_compliant: bool,
    pub flow_name: String,
    pub trail_name: String,
    pub artifact_fingerprint: Option<String>,
    pub target_artifacts: Vec<String>,
    pub git_commit_info: Option<GitCommitInfo>,
    pub origin_url: Option<String>,
    pub user_data: Value,
    pub description: Option<String>,
    pub created_at: f64,
    /// The attestation on its trail's web page.
    #[serde(default)]
    pub html_url: String,
    /// SHA-256 of the attachment in the evidence vault, if any.
    #[serde(default)]
    pub evidence_archive_fingerprint: Option<String>,
    /// The attachment's file name (`evidence.tgz` for an archive of several files).
    #[serde(default)]
    pub evidence_file_name: Option<String>,
    #[serde(default)]
    pub has_evidence: bool,
    /// A custom type's summary rows, evaluated when the attestation was made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<SummaryValue>,
    /// Type-specific fields of the stored payload (`junit_results`,
    /// `pull_requests`, `control`, ...), beside the document's own.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Attestation {
    /// Keeps the fields of a stored payload that the document does not set
    /// itself: the document's own fields win.
    pub fn with_payload(mut self, payload: &str) -> Self {
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(payload) else {
            return self;
        };
        let own = serde_json::to_value(&self).unwrap_or_default();
        self.extra = fields
            .into_iter()
            .filter(|(k, _)| own.get(k).is_none())
            .collect();
        self
    }
}

/// Body of the legacy `POST /deployments/{org}/{flow}` (`expect deployment`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeploymentCreate {
    pub artifact_fingerprint: String,
    pub environment: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub build_url: Option<String>,
    #[serde(default)]
    pub user_data: Option<Value>,
}

/// A legacy deployment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deployment {
    pub deployment_id: i64,
    pub artifact_fingerprint: String,
    pub artifact_name: String,
    pub environment: String,
    pub description: Option<String>,
    pub build_url: Option<String>,
    pub created_at: f64,
}

/// One artifact found by `search`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchArtifact {
    pub fingerprint: String,
    pub name: String,
    pub flow: Option<String>,
    pub git_commit: Option<String>,
    pub has_provenance: bool,
    pub commit_url: Option<String>,
    pub build_url: Option<String>,
    pub html_url: Option<String>,
    pub compliance_state: Option<String>,
    pub running_in: Vec<String>,
    pub exited_from: Vec<String>,
    pub history: Vec<HistoryLine>,
}

/// What a search term matched.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matches {
    #[serde(rename = "type")]
    pub kind: String,
    pub count: usize,
    pub matches: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedTo {
    #[serde(rename = "type")]
    pub kind: String,
    pub full_match: Option<String>,
    pub fingerprints: Matches,
    pub commits: Matches,
}

/// Response of `GET /search/{org}/sha/{value}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResult {
    pub resolved_to: ResolvedTo,
    pub artifacts: Vec<SearchArtifact>,
}

/// The compliance of a fingerprint in one flow/trail, in an assert.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssertFlow {
    pub flow: String,
    pub trail: Option<String>,
    pub compliance_status: ArtifactStatus,
}

/// Response of `GET /asserts/{org}/fingerprint/{fp}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssertResult {
    pub compliant: bool,
    pub scope: String,
    pub environment: Option<String>,
    pub policy_evaluations: Vec<crate::PolicyDecision>,
    pub flows: Vec<AssertFlow>,
    /// The artifact's page in its first flow; empty when no flow knows it.
    pub html_url: String,
}

/// Body of the legacy `POST /evidence/{org}/artifact/{flow}/generic`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LegacyEvidence {
    pub artifact_fingerprint: String,
    pub name: String,
    #[serde(default = "compliant_by_default")]
    pub is_compliant: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub user_data: Value,
    #[serde(default)]
    pub build_url: Option<String>,
}

fn compliant_by_default() -> bool {
    true
}
