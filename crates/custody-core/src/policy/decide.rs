//! Evaluating one artifact against one policy, Kosli-style: every rule is
//! resolved per (flow, trail) holding the fingerprint, because conditions refer
//! to `flow.*`. A condition that fails to evaluate is treated conservatively:
//! an `if` applies the rule, an exception does not excuse it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::facts::Facts;
use super::{AttestationRule, BoolRule, Condition, Policy};

/// An attestation seen in a flow context (the latest of its name).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub name: String,
    pub kind: String,
    pub is_compliant: bool,
    /// The control a `decision` attestation is about (its payload's `control`).
    pub control: Option<String>,
}

/// One (flow, trail) that holds the artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowContext {
    pub flow_name: String,
    pub trail_name: Option<String>,
    pub flow_tags: BTreeMap<String, String>,
    /// The artifact's compliance state in that trail (`COMPLIANT`, ...).
    pub artifact_status: String,
    pub attestations: Vec<Seen>,
}

/// The artifact being judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub name: String,
    pub fingerprint: String,
    pub contexts: Vec<FlowContext>,
}

/// Where a resolution was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolutionContext {
    pub flow_name: Option<String>,
    pub trail_name: Option<String>,
    pub artifact_status: Option<String>,
    pub for_control: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub kind: &'static str,
    pub context: ResolutionContext,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub kind: &'static str,
    pub definition: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleEvaluation {
    pub rule: Rule,
    pub satisfied: Option<bool>,
    pub ignored: bool,
    pub resolutions: Vec<Resolution>,
}

/// One entry of an artifact's `policy_decisions`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDecision {
    pub policy_name: String,
    pub policy_version: i64,
    pub status: &'static str,
    pub rule_evaluations: Vec<RuleEvaluation>,
}

impl PolicyDecision {
    pub fn compliant(&self) -> bool {
        self.status == "COMPLIANT"
    }
}

/// Evaluates a subject against a policy.
pub fn decide(name: &str, version: i64, policy: &Policy, subject: &Subject) -> PolicyDecision {
    let mut rules = vec![
        provenance(&policy.provenance, subject),
        trail_compliance(&policy.trail_compliance, subject),
    ];
    rules.extend(policy.attestations.iter().map(|r| attestation(r, subject)));
    let ok = rules.iter().all(|r| r.ignored || r.satisfied == Some(true));
    PolicyDecision {
        policy_name: name.to_string(),
        policy_version: version,
        status: if ok { "COMPLIANT" } else { "NON-COMPLIANT" },
        rule_evaluations: rules,
    }
}

fn facts(subject: &Subject, ctx: Option<&FlowContext>) -> Facts {
    Facts {
        flow_name: ctx.map(|c| c.flow_name.clone()),
        flow_tags: ctx.map(|c| c.flow_tags.clone()).unwrap_or_default(),
        artifact_name: subject.name.clone(),
        artifact_fingerprint: subject.fingerprint.clone(),
    }
}

fn excepted(rule: &BoolRule, facts: &Facts) -> bool {
    rule.exceptions.iter().any(|e| match e {
        None => true,
        Some(c) => facts.test(&c.expr).unwrap_or(false),
    })
}

fn applies(cond: &Option<Condition>, facts: &Facts) -> bool {
    cond.as_ref()
        .is_none_or(|c| facts.test(&c.expr).unwrap_or(true))
}

fn resolution(kind: &'static str, ctx: Option<&FlowContext>, status: bool) -> Resolution {
    Resolution {
        kind,
        context: ResolutionContext {
            flow_name: ctx.map(|c| c.flow_name.clone()),
            trail_name: ctx.and_then(|c| c.trail_name.clone()),
            artifact_status: ctx.filter(|_| status).map(|c| c.artifact_status.clone()),
            for_control: None,
        },
    }
}

/// Combines per-context resolutions: ignored when none applied.
fn evaluation(
    kind: &'static str,
    definition: Value,
    resolutions: Vec<Resolution>,
    any: bool,
) -> RuleEvaluation {
    let applied: Vec<bool> = resolutions
        .iter()
        .filter(|r| r.kind != "rule_not_applicable")
        .map(|r| r.kind == "rule_satisfied")
        .collect();
    let ignored = applied.is_empty();
    let satisfied = (!ignored).then(|| {
        if any {
            applied.iter().any(|s| *s)
        } else {
            applied.iter().all(|s| *s)
        }
    });
    RuleEvaluation {
        rule: Rule { kind, definition },
        satisfied,
        ignored,
        resolutions,
    }
}

fn provenance(rule: &BoolRule, subject: &Subject) -> RuleEvaluation {
    let resolutions = if subject.contexts.is_empty() {
        let applies = rule.required && !excepted(rule, &facts(subject, None));
        let kind = if applies {
            "no_provenance"
        } else {
            "rule_not_applicable"
        };
        vec![resolution(kind, None, false)]
    } else {
        subject
            .contexts
            .iter()
            .map(|c| {
                let applies = rule.required && !excepted(rule, &facts(subject, Some(c)));
                let kind = if applies {
                    "rule_satisfied"
                } else {
                    "rule_not_applicable"
                };
                resolution(kind, Some(c), false)
            })
            .collect()
    };
    evaluation("provenance", rule.definition(), resolutions, false)
}

fn trail_compliance(rule: &BoolRule, subject: &Subject) -> RuleEvaluation {
    let resolutions = subject
        .contexts
        .iter()
        .map(|c| {
            let kind = if !rule.required || excepted(rule, &facts(subject, Some(c))) {
                "rule_not_applicable"
            } else if c.artifact_status == "COMPLIANT" {
                "rule_satisfied"
            } else {
                "non_compliant_in_trail"
            };
            resolution(kind, Some(c), true)
        })
        .collect();
    evaluation("trail-compliance", rule.definition(), resolutions, false)
}

fn attestation(rule: &AttestationRule, subject: &Subject) -> RuleEvaluation {
    let matches = |s: &&Seen| {
        (rule.name == "*" || rule.name == s.name)
            && (rule.kind == "*" || rule.kind == s.kind)
            && rule
                .for_control
                .as_ref()
                .is_none_or(|c| s.control.as_ref() == Some(c))
    };
    let mut resolutions: Vec<Resolution> = subject
        .contexts
        .iter()
        .map(|c| {
            let found: Vec<&Seen> = c.attestations.iter().filter(matches).collect();
            let kind = if !applies(&rule.condition, &facts(subject, Some(c))) {
                "rule_not_applicable"
            } else if found.is_empty() {
                "missing_attestation"
            } else if rule.must_be_compliant && !found.iter().all(|s| s.is_compliant) {
                "non_compliant_attestation"
            } else {
                "rule_satisfied"
            };
            resolution(kind, Some(c), false)
        })
        .collect();
    if subject.contexts.is_empty() && applies(&rule.condition, &facts(subject, None)) {
        resolutions.push(resolution("missing_attestation", None, false));
    }
    for r in &mut resolutions {
        r.context.for_control = rule.for_control.clone();
    }
    evaluation("attestation", rule.definition(), resolutions, true)
}
