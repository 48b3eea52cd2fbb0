//! Policy decisions on the wire: how a running artifact fares against each
//! environment policy, in snapshot documents (`policy_decisions`) and assert
//! answers (`policy_evaluations`), with Kosli's field names.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One policy's verdict on one artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyDecision {
    pub policy_name: String,
    pub policy_version: i64,
    /// `COMPLIANT` or `NON-COMPLIANT`.
    pub status: String,
    pub rule_evaluations: Vec<RuleEvaluation>,
}

impl PolicyDecision {
    pub fn compliant(&self) -> bool {
        self.status == "COMPLIANT"
    }

    /// The kinds of the rules that failed (`provenance`, `attestation`…).
    pub fn failed_rules(&self) -> Vec<&str> {
        self.rule_evaluations
            .iter()
            .filter(|r| !r.ignored && r.satisfied != Some(true))
            .map(|r| r.rule.kind.as_str())
            .collect()
    }
}

/// How one rule of the policy was judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleEvaluation {
    pub rule: PolicyRule,
    /// `None` when the rule could not be judged.
    pub satisfied: Option<bool>,
    /// The rule did not apply (its `if` was false, or an exception held).
    pub ignored: bool,
    pub resolutions: Vec<Resolution>,
}

/// A rule: its kind and its definition as the policy states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyRule {
    /// `provenance`, `trail-compliance` or `attestation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub definition: Value,
}

/// Why a rule holds or fails in one (flow, trail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolution {
    /// `missing_attestation`, `non_compliant_attestation`, `no_provenance`…
    #[serde(rename = "type")]
    pub kind: String,
    pub context: ResolutionContext,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolutionContext {
    pub flow_name: Option<String>,
    pub trail_name: Option<String>,
    pub artifact_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_control: Option<String>,
}
