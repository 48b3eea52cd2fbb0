//! Snapshots, snapshot lists and snapshot diffs.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How an artifact's instance count changed at this snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Annotation {
    #[serde(rename = "type")]
    pub kind: String,
    pub was: i64,
    pub now: i64,
}

/// A flow that knows a running fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotFlow {
    pub flow_name: String,
    pub trail_name: Option<String>,
    pub template_reference_name: Option<String>,
    pub git_commit: Option<String>,
    pub commit_url: Option<String>,
    /// Whether the artifact is compliant in this flow.
    pub artifact_compliance_in_flow: bool,
    /// The artifact's page in this flow, and the flow's page.
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub flow_html_url: String,
}

/// One artifact of a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotArtifact {
    pub name: String,
    pub fingerprint: String,
    /// Whole Unix seconds, oldest first (Kosli's CLI reads `[]int64`).
    #[serde(rename = "creationTimestamp")]
    pub creation_timestamp: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<Value>,
    pub flow_name: Option<String>,
    pub git_commit: Option<String>,
    pub commit_url: Option<String>,
    pub compliant: Option<bool>,
    pub deployments: Vec<i64>,
    pub flows: Vec<SnapshotFlow>,
    pub annotation: Annotation,
    /// Evaluations against the environment's policies (empty without policies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_decisions: Vec<crate::PolicyDecision>,
}

/// A snapshot document (`get snapshot`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub index: i64,
    pub timestamp: f64,
    #[serde(rename = "type")]
    pub kind: String,
    pub is_latest: bool,
    /// The snapshot's page in the web UI.
    #[serde(default)]
    pub html_url: String,
    pub next_snapshot_timestamp: Option<f64>,
    pub compliant: Option<bool>,
    pub artifacts: Vec<SnapshotArtifact>,
    /// `{name, version}` of the policies this snapshot was evaluated against.
    #[serde(default)]
    pub applied_policies: Vec<Value>,
}

/// One row of `list snapshots`; `to` is 0 for the current snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotSummary {
    pub index: i64,
    pub from: f64,
    pub to: f64,
    pub duration: f64,
    /// Whether every artifact running there might run there.
    pub compliant: bool,
}

/// An artifact in a snapshot diff.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffArtifact {
    pub fingerprint: String,
    pub name: String,
    pub flow: Option<String>,
    pub commit_url: Option<String>,
    /// Whole Unix seconds (Kosli's CLI reads `int64`).
    pub most_recent_timestamp: i64,
    pub instance_count: i64,
    #[serde(default)]
    pub s1_instance_count: i64,
    #[serde(default)]
    pub s2_instance_count: i64,
    #[serde(default)]
    pub pods: Vec<String>,
}

/// One side of a diff.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffSide {
    pub snapshot_id: String,
    pub artifacts: Vec<DiffArtifact>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffGroup {
    pub artifacts: Vec<DiffArtifact>,
}

/// Response of `GET /env-diff/{org}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotDiff {
    pub snappish1: DiffSide,
    pub snappish2: DiffSide,
    pub changed: DiffGroup,
    #[serde(rename = "not-changed")]
    pub not_changed: DiffGroup,
}
