//! The org's definitions: environment policies and custom attestation types,
//! each with its immutable versions, in the shapes the Kosli CLI reads.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An environment policy (`get policy`, `list policies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyDocument {
    pub org: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: f64,
    pub latest_version: i64,
    /// Names of the environments the policy is attached to now.
    pub consuming_envs: Vec<String>,
    /// Every version, oldest first.
    pub versions: Vec<PolicyVersion>,
}

/// One version of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    pub version: i64,
    /// The policy YAML as it was uploaded.
    pub policy_yaml: String,
    pub comment: String,
    pub created_at: f64,
}

/// The reply to attaching or detaching policies: the snapshot re-evaluating
/// the environment, when that changed anything and it has snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyAttachment {
    pub environment: String,
    pub policy_names: Vec<String>,
    pub snapshot: Option<i64>,
}

/// An artifact allowed in an environment whatever its policies say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllowedArtifact {
    pub environment: String,
    pub artifact_fingerprint: String,
    pub artifact_name: String,
    pub description: String,
}

/// A custom attestation type (`get attestation-type`, `list attestation-types`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationTypeDocument {
    pub name: String,
    /// Left out when the type has none, as Kosli does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub org: String,
    pub archived: bool,
    /// Who made the type and when: left out, with `last_modified_at`, when
    /// one version was asked for, as Kosli does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_at: Option<f64>,
    pub latest_version: i64,
    /// The versions asked for (all of them unless one was named), oldest first.
    pub versions: Vec<AttestationTypeVersion>,
}

/// One immutable version of a custom attestation type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationTypeVersion {
    pub version: i64,
    pub timestamp: f64,
    pub created_by: String,
    /// The JSON Schema `attestation_data` must match, if the type has one.
    pub type_schema: Option<Value>,
    pub evaluator: Evaluator,
    pub summary: Vec<SummaryEntry>,
}

/// How a type's rules are written and what they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluator {
    pub content_type: String,
    #[serde(default)]
    pub rules: Vec<String>,
}

/// A summary expression's value for one attestation, evaluated when it was
/// recorded: `value` is null when the expression yields nothing, and `error`
/// says why it could not be evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryValue {
    pub name: String,
    #[serde(default)]
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SummaryValue {
    /// The value as a person reads it: text as it is, other JSON as JSON, and
    /// `error: why` when it could not be evaluated.
    pub fn shown(&self) -> String {
        match (&self.error, &self.value) {
            (Some(why), _) => format!("error: {why}"),
            (None, Value::String(text)) => text.clone(),
            (None, value) => value.to_string(),
        }
    }
}

/// A named expression shown with every attestation of a type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryEntry {
    pub name: String,
    pub expression: String,
}
