//! Rego policies evaluated in-process for `evaluate trail|trails|input`, with
//! Kosli's contract: the policy is `package policy` with an `allow` rule that
//! must come out boolean, an optional `violations` set of strings gives the
//! reasons for a deny, and `--params` are `data.params`. Rego v1 syntax. A
//! policy cannot reach the network (no `http.send`) and runs under a time
//! limit, so a remote policy cannot stall a pipeline.

pub mod blame;
mod clock;
mod source_ref;
pub mod trail_input;

pub use source_ref::load_policy;

use std::num::NonZeroU32;
use std::time::Duration;

use anyhow::{anyhow, bail};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value as RegoValue};
use serde_json::Value;

/// The name errors and line numbers refer to, as Kosli's do.
const SOURCE_NAME: &str = "policy.rego";

/// How long one evaluation may run.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// A policy's verdict on one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub allow: bool,
    /// The `violations` strings (only gathered on a deny); others are dropped.
    pub violations: Vec<String>,
}

/// A checked policy, ready to judge inputs.
pub struct Policy {
    engine: Engine,
}

impl Policy {
    /// Parses `source` and checks Kosli's contract; `params` become `data.params`.
    pub fn new(source: &str, params: Option<&Value>) -> anyhow::Result<Self> {
        Self::with_time_limit(source, params, TIME_LIMIT)
    }

    /// As [`Policy::new`], each evaluation bounded by `limit`.
    pub fn with_time_limit(
        source: &str,
        params: Option<&Value>,
        limit: Duration,
    ) -> anyhow::Result<Self> {
        clock::install();
        let mut engine = Engine::new();
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit,
            check_interval: NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN),
        });
        let package = engine
            .add_policy(SOURCE_NAME.into(), source.into())
            .map_err(|e| {
                anyhow!(
                    "failed to parse policy: {}",
                    one_line(&e, "rego_parse_error")
                )
            })?;
        if package != "data.policy" {
            let name = package.strip_prefix("data.").unwrap_or(&package);
            bail!("policy package must be 'package policy', got '{name}'");
        }
        let declares = |rule: &str| {
            engine
                .has_declared_rule_rooted_at(SOURCE_NAME, rule)
                .unwrap_or(false)
        };
        if !declares("allow") {
            bail!("policy must declare an 'allow' rule");
        }
        if let Some(params) = params {
            let data = rego_value(&serde_json::json!({ "params": params }))?;
            engine.add_data(data).map_err(|e| anyhow!("{e}"))?;
        }
        Ok(Self { engine })
    }

    /// The verdict on `input`.
    pub fn judge(&mut self, input: &Value) -> anyhow::Result<Verdict> {
        self.engine.set_input(rego_value(input)?);
        let allow = self
            .engine
            .eval_rule("data.policy.allow".into())
            .map_err(|e| anyhow!("policy evaluation failed: {}", one_line(&e, "")))?;
        let allow = match allow {
            RegoValue::Bool(b) => b,
            RegoValue::Undefined => {
                bail!("policy did not return a result for 'data.policy.allow'")
            }
            other => bail!(
                "policy 'allow' rule must evaluate to boolean, got {}",
                go_type(&other)
            ),
        };
        let violations = if allow {
            Vec::new()
        } else {
            self.violations()?
        };
        Ok(Verdict { allow, violations })
    }

    fn violations(&mut self) -> anyhow::Result<Vec<String>> {
        let declared = self
            .engine
            .has_declared_rule_rooted_at(SOURCE_NAME, "violations")
            .unwrap_or(false);
        if !declared {
            return Ok(Vec::new());
        }
        let value = self
            .engine
            .eval_rule("data.policy.violations".into())
            .map_err(|e| anyhow!("violations evaluation failed: {}", one_line(&e, "")))?;
        let items: Vec<RegoValue> = match value {
            RegoValue::Set(items) => items.iter().cloned().collect(),
            RegoValue::Array(items) => items.iter().cloned().collect(),
            _ => Vec::new(),
        };
        Ok(items
            .into_iter()
            .filter_map(|v| match v {
                RegoValue::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect())
    }
}

/// An engine error on one line, as OPA words it: `policy.rego:LINE: KIND: what`
/// (unsafe variables are `rego_unsafe_var_error`, syntax `rego_parse_error`).
fn one_line(error: &anyhow::Error, kind: &str) -> String {
    let text = error.to_string();
    let location = text.lines().find_map(|l| l.trim().strip_prefix("--> "));
    let message = text.lines().find_map(|l| l.strip_prefix("error: "));
    let (Some(location), Some(message)) = (location, message) else {
        return text.trim().to_string();
    };
    let at = location
        .rsplit_once(':')
        .map_or(location, |(at, _column)| at);
    let message = message.split(" (path [").next().unwrap_or(message);
    let kind = if message.contains(" is unsafe") {
        "rego_unsafe_var_error"
    } else {
        kind
    };
    match kind {
        "" => format!("{at}: {message}"),
        kind => format!("{at}: {kind}: {message}"),
    }
}

fn rego_value(value: &Value) -> anyhow::Result<RegoValue> {
    RegoValue::from_json_str(&value.to_string()).map_err(|e| anyhow!("{e}"))
}

/// How Kosli (in Go) names the type of a non-boolean `allow`.
fn go_type(value: &RegoValue) -> &'static str {
    match value {
        RegoValue::String(_) => "string",
        RegoValue::Number(_) => "json.Number",
        RegoValue::Array(_) | RegoValue::Set(_) => "[]interface {}",
        RegoValue::Object(_) => "map[string]interface {}",
        _ => "<nil>",
    }
}

#[cfg(test)]
mod tests;
