//! What the server and a worker process say to each other: one JSON line per
//! request on the worker's stdin, one JSON line per answer on its stdout.
//! Schemas and attestation data travel as JSON text, so that their nesting is
//! bounded by the server's own JSON parser and not by this envelope's.

use serde::{Deserialize, Serialize};

/// A custom attestation type's checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// The JSON Schema, as JSON text.
    pub schema: Option<String>,
    /// jq rules that must all hold.
    pub rules: Vec<String>,
    /// jq expressions whose first value is shown with each attestation.
    #[serde(default)]
    pub summaries: Vec<String>,
}

/// A question for a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Do the definition's schema, rules and summary expressions compile?
    Check { definition: Definition },
    /// How does this attestation data (JSON text) fare under the definition?
    Judge {
        definition: Definition,
        data: String,
    },
}

/// A worker's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// The definition compiles.
    Checked,
    /// The data was judged: compliant when both lists are empty.
    Judged(Judgement),
    /// The definition or the data is at fault; the message says how.
    Refused { message: String },
}

/// The outcome of judging attestation data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// Where the data breaks the schema (the attestation is refused when any).
    pub violations: Vec<String>,
    /// The rules that did not hold.
    pub failed_rules: Vec<String>,
    /// Each summary expression's first value (null when it yields none), or
    /// why it could not be evaluated; empty when the data breaks the schema.
    #[serde(default)]
    pub summary: Vec<Result<serde_json::Value, String>>,
}

impl Judgement {
    pub fn compliant(&self) -> bool {
        self.violations.is_empty() && self.failed_rules.is_empty()
    }
}
