//! Environment policies: the YAML users write (`_schema`, `artifacts.provenance`,
//! `artifacts.trail-compliance`, `artifacts.attestations`), parsed strictly
//! with every condition compiled, and the evaluation of a running artifact
//! against a policy ([`decide`]).

pub mod decide;
pub mod expr;
pub mod facts;
mod lexer;
mod print;
#[cfg(test)]
mod tests;

use serde::Deserialize;
use serde_json::{Value, json};

pub use decide::{FlowContext, PolicyDecision, Seen, Subject, decide};
pub use expr::{Expr, ParseError};
pub use facts::Facts;

/// The schema URLs a policy may declare (Kosli's current and documented forms).
pub const SCHEMAS: [&str; 2] = [
    "https://kosli.com/schemas/policy/environment/v1",
    "https://docs.kosli.com/schemas/policy/v1",
];

const BUILTIN_TYPES: [&str; 8] = [
    "generic",
    "junit",
    "snyk",
    "pull_request",
    "jira",
    "sonar",
    "decision",
    "*",
];

/// Why a policy file was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid policy: {0}")]
pub struct PolicyError(pub String);

/// A compiled `if` condition with its source text (without `${{ }}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub text: String,
    pub expr: Expr,
}

/// A provenance or trail-compliance rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoolRule {
    pub required: bool,
    /// Conditions under which the rule does not apply; `None` = always.
    pub exceptions: Vec<Option<Condition>>,
}

/// A required attestation.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationRule {
    pub name: String,
    pub kind: String,
    pub condition: Option<Condition>,
    pub must_be_compliant: bool,
    pub for_control: Option<String>,
}

/// A parsed policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub provenance: BoolRule,
    pub trail_compliance: BoolRule,
    pub attestations: Vec<AttestationRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(rename = "_schema")]
    schema: String,
    #[serde(default)]
    artifacts: Option<RawArtifacts>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawArtifacts {
    provenance: Option<RawBool>,
    #[serde(rename = "trail-compliance")]
    trail_compliance: Option<RawBool>,
    #[serde(default)]
    attestations: Vec<RawAttestation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBool {
    #[serde(default)]
    required: bool,
    #[serde(default)]
    exceptions: Vec<RawException>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    #[serde(rename = "if")]
    condition: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestation {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "if")]
    condition: Option<String>,
    must_be_compliant: Option<bool>,
    for_control: Option<String>,
}

fn condition(text: &str, at: &str) -> Result<Condition, PolicyError> {
    let expr = Expr::parse(text)
        .map_err(|e| PolicyError(format!("{at}: invalid expression '{text}' {e}")))?;
    Ok(Condition {
        text: expr::unwrap(text).to_string(),
        expr,
    })
}

fn bool_rule(raw: Option<RawBool>, at: &str) -> Result<BoolRule, PolicyError> {
    let Some(raw) = raw else {
        return Ok(BoolRule::default());
    };
    let exceptions = raw
        .exceptions
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.condition
                .as_deref()
                .map(|c| condition(c, &format!("{at}.exceptions[{i}].if")))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    Ok(BoolRule {
        required: raw.required,
        exceptions,
    })
}

fn attestation(i: usize, raw: RawAttestation) -> Result<AttestationRule, PolicyError> {
    let at = format!("artifacts.attestations[{i}]");
    let name = raw.name.unwrap_or_else(|| "*".to_string());
    if !BUILTIN_TYPES.contains(&raw.kind.as_str()) && !raw.kind.starts_with("custom:") {
        return Err(PolicyError(format!(
            "{at}.type: '{}' is not an attestation type (one of {}, or custom:<name>)",
            raw.kind,
            BUILTIN_TYPES.join(", ")
        )));
    }
    if name == "*" && raw.kind == "*" {
        return Err(PolicyError(format!(
            "{at}: name and type cannot both be '*'"
        )));
    }
    if raw.for_control.is_some() && raw.kind != "decision" {
        return Err(PolicyError(format!(
            "{at}.for_control: only valid when type is 'decision'"
        )));
    }
    Ok(AttestationRule {
        name,
        kind: raw.kind,
        condition: raw
            .condition
            .as_deref()
            .map(|c| condition(c, &format!("{at}.if")))
            .transpose()?,
        must_be_compliant: raw.must_be_compliant.unwrap_or(true),
        for_control: raw.for_control,
    })
}

impl Policy {
    /// Whether the policy requires a decision on this control (`for_control`).
    pub fn requires_control(&self, identifier: &str) -> bool {
        self.attestations
            .iter()
            .any(|a| a.for_control.as_deref() == Some(identifier))
    }

    /// Parses and validates a policy file.
    pub fn parse(yaml: &str) -> Result<Policy, PolicyError> {
        crate::limits::yaml_document("policy", yaml).map_err(|e| PolicyError(e.0))?;
        let raw: RawPolicy =
            serde_norway::from_str(yaml).map_err(|e| PolicyError(e.to_string()))?;
        if !SCHEMAS.contains(&raw.schema.as_str()) {
            return Err(PolicyError(format!(
                "_schema '{}' is not supported (use {})",
                raw.schema, SCHEMAS[0]
            )));
        }
        let artifacts = raw.artifacts.unwrap_or_default();
        Ok(Policy {
            provenance: bool_rule(artifacts.provenance, "artifacts.provenance")?,
            trail_compliance: bool_rule(artifacts.trail_compliance, "artifacts.trail-compliance")?,
            attestations: artifacts
                .attestations
                .into_iter()
                .enumerate()
                .map(|(i, a)| attestation(i, a))
                .collect::<Result<_, _>>()?,
        })
    }
}

fn if_json(c: &Option<Condition>) -> Value {
    c.as_ref().map_or(Value::Null, |c| json!({"text": c.text}))
}

impl BoolRule {
    /// The rule's `definition` in policy decisions.
    pub fn definition(&self) -> Value {
        let exceptions: Vec<Value> = self
            .exceptions
            .iter()
            .map(|e| json!({"if": if_json(e)}))
            .collect();
        json!({"required": self.required, "exceptions": exceptions})
    }
}

impl AttestationRule {
    /// The rule's `definition` in policy decisions.
    pub fn definition(&self) -> Value {
        let mut d = json!({
            "name": self.name,
            "type": self.kind,
            "must_be_compliant": self.must_be_compliant,
        });
        if self.condition.is_some() {
            d["if"] = if_json(&self.condition);
        }
        if let Some(c) = &self.for_control {
            d["for_control"] = json!(c);
        }
        d
    }
}
