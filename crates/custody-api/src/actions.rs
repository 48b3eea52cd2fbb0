//! Actions (notifications): the `PUT /actions/{org}/environments|flows`
//! payloads, the action documents, and the webhook payload v1.0 an action
//! sends.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One target of an action as given: `SLACK` (an incoming webhook),
/// `WEBHOOK`, or `CDEVENTS` (a sink receiving every CDEvent of what the
/// action watches, as CloudEvents in binary mode, whatever its triggers). Delivery records sent back (`last_*_at`) are accepted and
/// ignored, so a document read can be put back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionTargetInput {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub webhook: Option<String>,
    #[serde(default)]
    pub payload_version: Option<String>,
    #[serde(default)]
    pub last_success_at: Option<f64>,
    #[serde(default)]
    pub last_failure_at: Option<f64>,
    /// A Slack app's channel (refused: only incoming webhooks are supported).
    #[serde(default)]
    pub context: Option<Value>,
    /// Email addresses (refused: email targets are not supported).
    #[serde(default)]
    pub emails: Option<Vec<String>>,
}

/// `PUT /actions/{org}/environments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnvActionInput {
    pub name: String,
    pub targets: Vec<ActionTargetInput>,
    /// `env` when given.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub environments: Vec<String>,
    /// `ON_STARTED_ARTIFACT`, `ON_EXITED_ARTIFACT`, `ON_SCALED_ARTIFACT`,
    /// `ON_ALLOWED_ARTIFACT`, `ON_NON_COMPLIANT_ENV`, `ON_COMPLIANT_ENV`.
    pub triggers: Vec<String>,
}

/// `PUT /actions/{org}/flows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlowActionInput {
    pub name: String,
    pub targets: Vec<ActionTargetInput>,
    /// `flow` when given.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub flows: Vec<String>,
    /// `ON_STARTED_TRAIL`, `ON_ATTESTED_PROVENANCE`, `ON_ATTESTATION`.
    pub triggers: Vec<String>,
}

/// A target of an action, with how its deliveries went (times in seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionTarget {
    #[serde(rename = "type")]
    pub kind: String,
    pub webhook: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_version: Option<String>,
    pub last_success_at: Option<f64>,
    pub last_failure_at: Option<f64>,
    /// Why the last failed delivery failed.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// An action (`get action`, `list actions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionDocument {
    pub number: i64,
    pub name: String,
    /// `env` or `flow`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flows: Option<Vec<String>>,
    pub triggers: Vec<String>,
    pub targets: Vec<ActionTarget>,
    /// Whether some target's latest delivery failed.
    pub is_failing: bool,
    pub created_at: f64,
    pub last_modified_at: f64,
}

/// The snapshot an environment event happened in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayloadSnapshot {
    pub index: i64,
    /// `COMPLIANT` or `NON-COMPLIANT`.
    pub status: String,
    pub html_url: String,
    pub api_url: String,
}

/// Where an artifact came from: its flow, as that flow judges it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayloadProvenance {
    pub flow: String,
    /// `COMPLIANT`, `NON-COMPLIANT` or `INCOMPLETE`.
    pub status: String,
    pub commit: Option<String>,
    pub commit_url: Option<String>,
    pub html_url: String,
    pub api_url: String,
    pub build_url: Option<String>,
}

/// The artifact an event is about; no provenance when no flow knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayloadArtifact {
    pub name: String,
    pub fingerprint: String,
    pub provenance: Option<PayloadProvenance>,
}

/// The attestation a flow event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayloadAttestation {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub is_compliant: bool,
    pub html_url: String,
}

/// What a `WEBHOOK` target receives (payload version `1.0`): `environment`
/// and `snapshot` for environment events, `flow` and `trail` for flow events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    pub version: String,
    pub timestamp: f64,
    pub org: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trail: Option<String>,
    /// The trigger without `ON_`, e.g. `STARTED_ARTIFACT`.
    pub event_type: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<PayloadSnapshot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<PayloadArtifact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<PayloadAttestation>,
}
