//! Time-travel evaluation documents: `POST /policy-evaluations/{org}` judges
//! past snapshots of an environment by a policy (an attached one, an older
//! version, or a proposed file), beside the verdicts recorded at the time.

use serde::{Deserialize, Serialize};

use crate::PolicyDecision;

/// What to evaluate: one snapshot (`snapshot`: `prod#65`, `prod@{2022-08-23T12:00:00}`)
/// or an environment's snapshots (`environment` with `interval`: `1..137`), by
/// a stored policy (`policy_name`, optionally `policy_version`) or a proposed
/// one (`policy_yaml`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_yaml: Option<String>,
}

/// One snapshot's verdict by the policy, beside the one recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotVerdict {
    pub index: i64,
    pub timestamp: f64,
    pub compliant: bool,
    pub recorded_compliant: bool,
}

/// One running artifact of the last snapshot evaluated, judged by the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtifactVerdict {
    pub name: String,
    pub fingerprint: String,
    pub flow_name: Option<String>,
    pub compliant: bool,
    pub decision: Option<PolicyDecision>,
}

/// The answer: each snapshot's verdict, where the verdict changed, and the
/// decisions on the last snapshot's artifacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    pub environment: String,
    pub policy_name: String,
    /// The stored version judged, or none for a proposed file.
    pub policy_version: Option<i64>,
    pub snapshots: Vec<SnapshotVerdict>,
    /// Indexes whose verdict by the policy differs from the snapshot's before.
    pub changes: Vec<i64>,
    pub artifacts: Vec<ArtifactVerdict>,
}
