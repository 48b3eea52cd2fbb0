//! Which attestation made a policy deny: for each attestation of the input's
//! trail(s) that is not compliant (or is missing), the policy is asked again
//! with that one attestation compliant. An attestation is a cause when that
//! clears violations or turns the deny into an allow. A question the policy
//! cannot answer (an error, or its time limit) names no cause, and all the
//! questions together stop after one evaluation's time limit.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::trail_input::attestation_maps;
use super::{Policy, TIME_LIMIT, Verdict};

/// The most attestations tried, so that a huge input cannot multiply the
/// evaluation time without bound.
const MAX_TRIED: usize = 200;

/// One attestation that made the policy deny.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cause {
    /// The trail's name, for inputs with several trails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trail: Option<String>,
    /// The artifact the attestation is about, if not the trail itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    pub attestation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_url: Option<String>,
    /// The violations that go away when it is compliant.
    pub clears: Vec<String>,
    /// Whether the policy allows once it is compliant.
    pub allows: bool,
}

impl Cause {
    /// `app.unit-tests` (or `unit-tests` for the trail's own), after its trail.
    pub fn label(&self) -> String {
        let name = match &self.artifact {
            Some(a) => format!("{a}.{}", self.attestation),
            None => self.attestation.clone(),
        };
        match &self.trail {
            Some(t) => format!("{name} (trail {t})"),
            None => name,
        }
    }
}

/// Where one attestation sits in the input.
struct Spot {
    /// Index into `input.trails`, or `None` for `input.trail`.
    trail: Option<usize>,
    artifact: Option<String>,
    name: String,
}

/// The trails of an input: `trail`, or each of `trails`.
fn trails_mut(input: &mut Value) -> Vec<(Option<usize>, &mut Value)> {
    let Some(object) = input.as_object_mut() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in object.iter_mut() {
        match (key.as_str(), value) {
            ("trail", trail @ Value::Object(_)) => out.push((None, trail)),
            ("trails", Value::Array(trails)) => {
                out.extend(trails.iter_mut().enumerate().map(|(i, t)| (Some(i), t)));
            }
            _ => {}
        }
    }
    out
}

fn compliant(entry: &Value) -> bool {
    entry.get("is_compliant").and_then(Value::as_bool) == Some(true)
        || entry.get("compliant").and_then(Value::as_bool) == Some(true)
}

fn spots(input: &mut Value) -> Vec<Spot> {
    let mut out = Vec::new();
    for (trail, doc) in trails_mut(input) {
        for (artifact, map) in attestation_maps(doc) {
            for (name, entry) in map.iter() {
                if !compliant(entry) {
                    out.push(Spot {
                        trail,
                        artifact: artifact.clone(),
                        name: name.clone(),
                    });
                }
            }
        }
    }
    out.truncate(MAX_TRIED);
    out
}

/// The entry at `spot` in `input`.
fn entry_at<'a>(input: &'a mut Value, spot: &Spot) -> Option<&'a mut Map<String, Value>> {
    let (_, trail) = trails_mut(input)
        .into_iter()
        .find(|(i, _)| *i == spot.trail)?;
    let (_, map) = attestation_maps(trail)
        .into_iter()
        .find(|(a, _)| *a == spot.artifact)?;
    map.get_mut(&spot.name)?.as_object_mut()
}

/// The attestations whose non-compliance made `policy` deny `input`.
pub fn causes(policy: &mut Policy, input: &Value, denied: &Verdict) -> Vec<Cause> {
    let started = Instant::now();
    let mut scratch = input.clone();
    let mut found = Vec::new();
    for spot in spots(&mut scratch) {
        if started.elapsed() > TIME_LIMIT {
            break;
        }
        let mut changed = input.clone();
        let Some(entry) = entry_at(&mut changed, &spot) else {
            continue;
        };
        let (id, url) = (
            entry
                .get("attestation_id")
                .and_then(Value::as_str)
                .map(String::from),
            entry
                .get("html_url")
                .and_then(Value::as_str)
                .map(String::from),
        );
        entry.insert("is_compliant".into(), json!(true));
        entry.insert("status".into(), json!("COMPLETE"));
        if entry.contains_key("compliant") {
            entry.insert("compliant".into(), json!(true));
        }
        let Ok(after) = policy.judge(&changed) else {
            continue;
        };
        let clears: Vec<String> = denied
            .violations
            .iter()
            .filter(|v| !after.violations.contains(v))
            .cloned()
            .collect();
        if after.allow || !clears.is_empty() {
            let trail = spot
                .trail
                .and_then(|i| input["trails"][i]["name"].as_str().map(String::from));
            found.push(Cause {
                trail,
                artifact: spot.artifact,
                attestation: spot.name,
                attestation_id: id,
                html_url: url,
                clears,
                allows: after.allow,
            });
        }
    }
    found
}
